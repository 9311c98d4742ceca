#include "convo/store/event_log.hpp"

#include "schema.hpp"
#include "sqlite_store.hpp"

namespace convo {
namespace {

class SqliteEventLog final : public SqlEventLog {
 public:
  SqliteEventLog(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteEventLog() override { sqlite3_close_v2(db_); }

  std::optional<Error> append(const std::vector<std::pair<std::string, std::string>>& rows) override {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot insert events");
    Statement insert(db_, "INSERT INTO events (sender_id, data) VALUES (?1, ?2)");
    bool ok = insert.ok();
    for (std::size_t i = 0; ok && i < rows.size(); ++i) {
      insert.bind_text(1, rows[i].first);
      insert.bind_text(2, rows[i].second);
      ok = insert.step() == SQLITE_DONE;
      insert.reset();
    }
    if (ok && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return std::nullopt;
    Error error = fail("cannot insert events");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }

  Error fail(const std::string& what) const {
    Error e = sqlite_failure(db_, path_, what);
    e.kind = ErrorKind::Upstream;
    return e;
  }

 private:
  sqlite3* db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<SqlEventLog>> SqlEventLog::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Error e = sqlite_failure(db, path, "cannot open");
    sqlite3_close_v2(db);
    return Error{ErrorKind::Upstream, e.message};
  }
  auto log = std::make_unique<SqliteEventLog>(db, path);
  sqlite3_busy_timeout(db, 30000);
  if (sqlite3_exec(db, broker_events_table_sql(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return log->fail("cannot create the events table");
  Statement probe(db, "SELECT 1 FROM pragma_table_info('events') WHERE name = 'type_name'");
  if (probe.ok() && probe.step() == SQLITE_ROW)
    return usage_error(path + ": its events table is a tracker store's, not an SQL event broker's");
  return std::unique_ptr<SqlEventLog>(std::move(log));
}

}  // namespace convo
