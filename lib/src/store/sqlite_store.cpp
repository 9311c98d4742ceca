#include "sqlite_store.hpp"
#include "row_collector.hpp"
#include "schema.hpp"
#include "convo/core/text.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace convo {
namespace {

// Rasa's table and index, convo's index for the last-session lookup (in place of an earlier
// convo's) and convo's outbox.
std::string schema_sql() {
  return tracker_events_table_sql(SqlDialect::Sqlite) + ";\n" + tracker_events_rasa_index_sql() + ";\n" +
         tracker_events_convo_index_sql() + ";\n" + tracker_events_legacy_index_sql() + ";\n" +
         outbox_table_sql(SqlDialect::Sqlite) + ";\n";
}

constexpr int kBusyTimeoutMs = 30000;

// "AND timestamp >= ?n AND timestamp <= ?m AND timestamp < ?k" for the bounds given, numbering
// from `next`.
std::string window_sql(const std::optional<double>& since, const std::optional<double>& until,
                       const std::optional<double>& before, int next) {
  std::string sql;
  if (since) sql += " AND timestamp >= ?" + std::to_string(next++);
  if (until) sql += " AND timestamp <= ?" + std::to_string(next++);
  if (before) sql += " AND timestamp < ?" + std::to_string(next);
  return sql;
}

void bind_window(Statement& st, const std::optional<double>& since, const std::optional<double>& until,
                 const std::optional<double>& before, int next) {
  if (since) st.bind_double(next++, *since);
  if (until) st.bind_double(next++, *until);
  if (before) st.bind_double(next, *before);
}

// Percent-escapes what a file: URI cannot hold literally.
std::string uri_escape(const std::string& path) {
  return percent_encode(path, [](unsigned char c) { return c == '%' || c == '?' || c == '#' || c < 0x20; });
}

}  // namespace

Error sqlite_failure(sqlite3* db, const std::string& path, const std::string& what) {
  int code = sqlite3_errcode(db);
  std::string msg = path + ": " + what + ": " + sqlite3_errmsg(db);
  return code == SQLITE_BUSY ? Error{ErrorKind::Runtime, msg + " (the database stayed locked)"}
                             : runtime_error(msg);
}

void bind_event_row(Statement& insert, const std::string& sender_id, const EventRow& row) {
  insert.bind_text(1, sender_id);
  insert.bind_text(2, row.type_name);
  insert.bind_json(3, row.timestamp);
  insert.bind_json(4, row.intent_name);
  insert.bind_json(5, row.action_name);
  insert.bind_text(6, row.data);
}

std::optional<std::string> sqlite_path_of(const std::string& url) {
  const std::string prefix = "sqlite:///";
  if (url.rfind(prefix, 0) == 0) {
    std::string path = url.substr(prefix.size());  // sqlite:////abs keeps its leading /
    if (path.empty() || path == ":memory:") return std::nullopt;
    return path;
  }
  if (url.empty() || url.find("://") != std::string::npos || url.rfind("sqlite:", 0) == 0 ||
      url.rfind("memory:", 0) == 0)
    return std::nullopt;
  return url;  // a plain path
}

Result<sqlite3*> open_sqlite_database(const std::string& path, StoreAccess access) {
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
  auto fail = [&](Error e) {
    sqlite3_close_v2(db);
    return e;
  };
  if (rc != SQLITE_OK) return fail(sqlite_failure(db, path, "cannot open"));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (access == StoreAccess::ReadWrite) {
    char* err = nullptr;
    // WAL lets readers run while a writer appends; Rasa's SQLAlchemy reads WAL files fine. In WAL
    // mode synchronous=NORMAL keeps every committed write across a crash or kill of the process
    // (the log is written before the commit returns); only a power loss may undo the last
    // commits. FULL would fsync every commit and cap a server at the disk's flush rate.
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, &err) != SQLITE_OK ||
        sqlite3_exec(db, schema_sql().c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return fail(runtime_error(path + ": cannot prepare the database: " + msg));
    }
  } else {
    Statement check(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'");
    if (!check.ok()) return fail(sqlite_failure(db, path, "not a readable SQLite database"));
    if (check.step() != SQLITE_ROW)
      return fail(not_found_error(path + ": not a Rasa tracker database (it has no events table)"));
  }
  return db;
}

Result<std::unique_ptr<TrackerStore>> SqliteStore::open(const std::string& path, StoreAccess access) {
  auto db = open_sqlite_database(path, access);
  if (!db) return db.error();
  return std::unique_ptr<TrackerStore>(new SqliteStore(*db, path));
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
  sql += window_sql(options.since, options.until, options.before, 2) + " ORDER BY id";
  Statement st = statements_.get(db_, sql);
  if (!st.ok()) return failure("cannot read events");
  st.bind_text(1, sender_id);
  bind_window(st, options.since, options.until, options.before, 2);
  RowCollector rows(sender_id, options);
  int rc = SQLITE_DONE;
  rows.read([&] {
    rc = st.step();
    if (rc == SQLITE_ROW) rows.add(st.int64(0), st.text_view(1));
    return rc == SQLITE_ROW;
  });
  if (rc != SQLITE_DONE) return failure("reading events failed");
  if (rows.empty()) {
    Statement any = statements_.get(db_, "SELECT 1 FROM events WHERE sender_id = ?1 LIMIT 1");
    any.bind_text(1, sender_id);
    if (any.step() != SQLITE_ROW) return std::optional<StoredConversation>();
  }
  return std::optional<StoredConversation>(rows.finish());
}

std::optional<Error> SqliteStore::write_rows(const AppendRequest& r, bool replace_existing, std::int64_t& last_id) {
  last_id = -1;
  if (replace_existing) {
    Statement del = statements_.get(db_, "DELETE FROM events WHERE sender_id = ?1");
    if (!del.ok()) return failure("cannot delete events");
    del.bind_text(1, r.sender_id);
    if (del.step() != SQLITE_DONE) return failure("cannot delete events");
  }
  if (!r.events.empty()) {
    Statement ins = statements_.get(db_, kInsertEventSql);
    if (!ins.ok()) return failure("cannot insert events");
    for (const auto& e : r.events) {
      bind_event_row(ins, r.sender_id, event_row(*e));
      if (ins.step() != SQLITE_DONE) return failure("cannot insert an event");
      ins.reset();
    }
    last_id = sqlite3_last_insert_rowid(db_);
  }
  if (!r.outbox.empty()) {
    Statement enq = statements_.get(db_, "INSERT INTO convo_outbox (sender_id, body, enqueued_at) VALUES (?1, ?2, ?3)");
    if (!enq.ok()) return failure("cannot enqueue broker messages");
    double now = wall_clock_now();
    for (const auto& body : r.outbox) {
      enq.bind_text(1, r.sender_id);
      enq.bind_text(2, body);
      enq.bind_double(3, now);
      if (enq.step() != SQLITE_DONE) return failure("cannot enqueue a broker message");
      enq.reset();
    }
  }
  return std::nullopt;
}

std::optional<Error> SqliteStore::transaction(const std::vector<const AppendRequest*>& batch, bool replace_existing) {
  // IMMEDIATE takes the write lock up front, so concurrent writers queue (busy timeout) instead
  // of failing half-way; the events and their outbox messages commit whole or not at all.
  if (statements_.get(db_, "BEGIN IMMEDIATE").step() != SQLITE_DONE) return failure("cannot start a transaction");
  std::vector<std::pair<const std::string*, std::int64_t>> last_ids;
  for (const AppendRequest* r : batch) {
    std::int64_t last_id = -1;
    if (auto err = write_rows(*r, replace_existing, last_id)) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
    // Appending nothing leaves the conversation's version as it was: ask the next time.
    if (last_id >= 0 || replace_existing) last_ids.emplace_back(&r->sender_id, last_id);
  }
  if (statements_.get(db_, "COMMIT").step() != SQLITE_DONE) {
    Error e = failure("commit failed");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  // What version() answers for these conversations without asking (this connection wrote last).
  if (written_.size() > kMaxWrittenVersions) written_.clear();
  for (const auto& [id, last] : last_ids) {
    if (last >= 0) written_[*id] = last;
    else written_.erase(*id);
  }
  return std::nullopt;
}

std::optional<Error> SqliteStore::write(const std::string& sender_id, const std::vector<EventPtr>& events,
                                        const std::vector<std::string>& outbox, bool replace_existing) {
  AppendRequest r{sender_id, events, outbox};
  return transaction({&r}, replace_existing);
}

std::optional<Error> SqliteStore::append_many(const std::vector<AppendRequest>& batch) {
  std::vector<const AppendRequest*> all;
  for (const auto& r : batch) all.push_back(&r);
  return transaction(all, false);
}

Result<std::optional<std::int64_t>> SqliteStore::version(const std::string& sender_id) {
  // The conversation's last row id, and how many times another connection (another process)
  // committed: SQLite reuses the ids of deleted last rows, so a replace elsewhere could leave the
  // last id as it was; any outside commit therefore changes every conversation's version. While
  // no other connection committed, the ids this one wrote last are known without a query.
  Statement data_version = statements_.get(db_, "PRAGMA data_version");
  if (!data_version.ok() || data_version.step() != SQLITE_ROW) return failure("cannot read the data version");
  if (data_version.int64(0) != data_version_) {
    data_version_ = data_version.int64(0);
    ++outside_writes_;
    written_.clear();
  }
  const std::int64_t epoch = outside_writes_ << 40;
  if (auto it = written_.find(sender_id); it != written_.end()) return std::optional<std::int64_t>(it->second + epoch);
  Statement st = statements_.get(db_, "SELECT COALESCE(MAX(id), 0) FROM events WHERE sender_id = ?1");
  if (!st.ok()) return failure("cannot read events");
  st.bind_text(1, sender_id);
  if (st.step() != SQLITE_ROW) return failure("cannot read events");
  return std::optional<std::int64_t>(st.int64(0) + epoch);
}

// A database opened read-only may predate the outbox (Rasa's own, or an older convo's).
bool SqliteStore::has_outbox() {
  Statement check(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'convo_outbox'");
  return check.ok() && check.step() == SQLITE_ROW;
}

Result<std::vector<OutboxMessage>> SqliteStore::outbox_peek(std::size_t limit) {
  std::vector<OutboxMessage> out;
  if (limit == 0 || !has_outbox()) return out;
  Statement st(db_, "SELECT id, sender_id, body FROM convo_outbox ORDER BY id LIMIT ?1");
  if (!st.ok()) return failure("cannot read the outbox");
  st.bind_int64(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.int64(0), st.text(1), st.text(2)});
  if (rc != SQLITE_DONE) return failure("reading the outbox failed");
  return out;
}

std::optional<Error> SqliteStore::outbox_remove(std::int64_t up_to_id) {
  if (!has_outbox()) return std::nullopt;
  Statement st(db_, "DELETE FROM convo_outbox WHERE id <= ?1");
  if (!st.ok()) return failure("cannot remove sent broker messages");
  st.bind_int64(1, up_to_id);
  if (st.step() != SQLITE_DONE) return failure("cannot remove sent broker messages");
  return std::nullopt;
}

Result<std::size_t> SqliteStore::outbox_depth() {
  if (!has_outbox()) return std::size_t{0};
  Statement st(db_, "SELECT COUNT(*) FROM convo_outbox");
  if (!st.ok() || st.step() != SQLITE_ROW) return failure("cannot count the outbox");
  return static_cast<std::size_t>(st.int64(0));
}

Result<std::vector<ConversationSummary>> SqliteStore::list(const ListOptions& options) {
  std::string sql = "SELECT sender_id, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events WHERE 1" +
                    window_sql(options.since, options.until, std::nullopt, 1) +
                    " GROUP BY sender_id ORDER BY sender_id";
  Statement st(db_, sql);
  if (!st.ok()) return failure("cannot list conversations");
  bind_window(st, options.since, options.until, std::nullopt, 1);
  std::vector<ConversationSummary> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.text(0), static_cast<std::size_t>(st.int64(1)), st.number(2), st.number(3)});
  if (rc != SQLITE_DONE) return failure("listing conversations failed");
  return out;
}

}  // namespace convo
