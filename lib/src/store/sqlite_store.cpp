#include "sqlite_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>

namespace convo {
namespace {

// Rasa's DDL (SQLAlchemy's rendering for SQLite), plus an index of convo's own for the
// last-session lookup; extra indexes are invisible to Rasa.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS events (\n"
    "  id INTEGER NOT NULL,\n"
    "  sender_id VARCHAR(255) NOT NULL,\n"
    "  type_name VARCHAR(255) NOT NULL,\n"
    "  timestamp FLOAT,\n"
    "  intent_name VARCHAR(255),\n"
    "  action_name VARCHAR(255),\n"
    "  data TEXT,\n"
    "  PRIMARY KEY (id)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);\n"
    "CREATE INDEX IF NOT EXISTS convo_ix_events_sender_type ON events (sender_id, type_name);\n";

constexpr int kBusyTimeoutMs = 30000;

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void bind_text(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void bind_json(int i, const Json& v) {
    if (v.is_number()) sqlite3_bind_double(stmt_, i, v.get<double>());
    else if (v.is_string()) bind_text(i, v.get<std::string>());
    else sqlite3_bind_null(stmt_, i);
  }
  void bind_double(int i, double d) { sqlite3_bind_double(stmt_, i, d); }
  int step() { return sqlite3_step(stmt_); }
  void reset() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  Json number(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL ? Json() : Json(sqlite3_column_double(stmt_, col));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// "AND timestamp >= ?n AND timestamp <= ?m" for the bounds given, numbering from `next`.
std::string window_sql(const std::optional<double>& since, const std::optional<double>& until, int next) {
  std::string sql;
  if (since) sql += " AND timestamp >= ?" + std::to_string(next++);
  if (until) sql += " AND timestamp <= ?" + std::to_string(next);
  return sql;
}

void bind_window(Statement& st, const std::optional<double>& since, const std::optional<double>& until, int next) {
  if (since) st.bind_double(next++, *since);
  if (until) st.bind_double(next, *until);
}

// Percent-escapes what a file: URI cannot hold literally.
std::string uri_escape(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

Error SqliteStore::failure(const std::string& what) const {
  int code = sqlite3_errcode(db_);
  std::string msg = path_ + ": " + what + ": " + sqlite3_errmsg(db_);
  return code == SQLITE_BUSY ? Error{ErrorKind::Runtime, msg + " (the database stayed locked)"}
                             : runtime_error(msg);
}

Result<std::unique_ptr<TrackerStore>> SqliteStore::open(const std::string& path, StoreAccess access) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (access == StoreAccess::ReadOnly && !exists)
    return not_found_error(path + ": no such database");
  int flags = access == StoreAccess::ReadOnly ? SQLITE_OPEN_READONLY
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  std::string target = path;
  struct stat wal {};
  if (access == StoreAccess::ReadOnly && ::stat((path + "-wal").c_str(), &wal) != 0) {
    // No write-ahead log means no writer has uncommitted-to-file state; reading the file as
    // immutable keeps SQLite from creating -wal/-shm files next to a WAL-mode database.
    target = "file:" + uri_escape(path) + "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(target.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  if (rc != SQLITE_OK) return store->failure("cannot open");
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (access == StoreAccess::ReadWrite) {
    char* err = nullptr;
    // WAL lets readers run while a writer appends; Rasa's SQLAlchemy reads WAL files fine.
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;", nullptr, nullptr, &err) != SQLITE_OK ||
        sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return runtime_error(path + ": cannot prepare the database: " + msg);
    }
  } else {
    Statement check(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'");
    if (!check.ok()) return store->failure("not a readable SQLite database");
    if (check.step() != SQLITE_ROW)
      return not_found_error(path + ": not a Rasa tracker database (it has no events table)");
  }
  return std::unique_ptr<TrackerStore>(std::move(store));
}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

Result<std::optional<StoredConversation>> SqliteStore::load(const std::string& sender_id,
                                                            const LoadOptions& options) {
  // The last session starts at the last session_started row (insertion order, see
  // docs/compatibility.md); Rasa's own query compares timestamps instead.
  std::string sql = "SELECT id, data FROM events WHERE sender_id = ?1";
  if (!options.all_sessions)
    sql += " AND id >= COALESCE((SELECT MAX(id) FROM events WHERE sender_id = ?1 AND "
           "type_name = 'session_started'), 0)";
  sql += window_sql(options.since, options.until, 2) + " ORDER BY id";
  Statement st(db_, sql);
  if (!st.ok()) return failure("cannot read events");
  st.bind_text(1, sender_id);
  bind_window(st, options.since, options.until, 2);
  StoredConversation conv;
  conv.sender_id = sender_id;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto event = parse_row_data(st.text(1));
    if (!event) {
      conv.warnings.push_back("row " + std::to_string(sqlite3_column_int64(st.get(), 0)) + ": " +
                              event.error().message + "; skipped");
      continue;
    }
    conv.events.push_back(std::move(*event));
  }
  if (rc != SQLITE_DONE) return failure("reading events failed");
  if (conv.events.empty() && conv.warnings.empty()) {
    Statement any(db_, "SELECT 1 FROM events WHERE sender_id = ?1 LIMIT 1");
    any.bind_text(1, sender_id);
    if (any.step() != SQLITE_ROW) return std::optional<StoredConversation>();
  }
  return std::optional<StoredConversation>(std::move(conv));
}

std::optional<Error> SqliteStore::write(const std::string& sender_id,
                                        const std::vector<EventPtr>& events, bool replace_existing) {
  // IMMEDIATE takes the write lock up front, so concurrent writers queue (busy timeout) instead
  // of failing half-way; the batch commits whole or not at all.
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return failure("cannot start a transaction");
  auto rollback = [&](const std::string& what) {
    Error e = failure(what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  if (replace_existing) {
    Statement del(db_, "DELETE FROM events WHERE sender_id = ?1");
    del.bind_text(1, sender_id);
    if (!del.ok() || del.step() != SQLITE_DONE) return rollback("cannot delete events");
  }
  Statement ins(db_,
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ins.ok()) return rollback("cannot insert events");
  for (const auto& e : events) {
    EventRow row = event_row(*e);
    ins.bind_text(1, sender_id);
    ins.bind_text(2, row.type_name);
    ins.bind_json(3, row.timestamp);
    ins.bind_json(4, row.intent_name);
    ins.bind_json(5, row.action_name);
    ins.bind_text(6, row.data);
    if (ins.step() != SQLITE_DONE) return rollback("cannot insert an event");
    ins.reset();
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return rollback("commit failed");
  return std::nullopt;
}

std::optional<Error> SqliteStore::append(const std::string& sender_id, const std::vector<EventPtr>& events) {
  return write(sender_id, events, false);
}

std::optional<Error> SqliteStore::replace(const std::string& sender_id, const std::vector<EventPtr>& events) {
  return write(sender_id, events, true);
}

Result<std::vector<ConversationSummary>> SqliteStore::list(const ListOptions& options) {
  std::string sql = "SELECT sender_id, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events WHERE 1" +
                    window_sql(options.since, options.until, 1) + " GROUP BY sender_id ORDER BY sender_id";
  Statement st(db_, sql);
  if (!st.ok()) return failure("cannot list conversations");
  bind_window(st, options.since, options.until, 1);
  std::vector<ConversationSummary> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.text(0), static_cast<std::size_t>(sqlite3_column_int64(st.get(), 1)), st.number(2), st.number(3)});
  if (rc != SQLITE_DONE) return failure("listing conversations failed");
  return out;
}

}  // namespace convo
