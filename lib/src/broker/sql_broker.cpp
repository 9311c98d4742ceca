// Rasa's SQL event broker (§6): a table `events (id, sender_id, data)` with the full body per row.
// SQLite only; each batch commits in one transaction.
#include <sqlite3.h>

#include "broker_internal.hpp"

namespace convo::broker_internal {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS events (\n"
    "  id INTEGER NOT NULL,\n"
    "  sender_id VARCHAR(255),\n"
    "  data TEXT,\n"
    "  PRIMARY KEY (id)\n"
    ");\n";

class SqlBroker final : public EventBroker {
 public:
  explicit SqlBroker(std::string path) : path_(std::move(path)) {}
  ~SqlBroker() override { close(); }

  std::string describe() const override { return "sql:sqlite:///" + path_; }

  std::optional<Error> connect() override {
    if (db_) return std::nullopt;
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
      return fail("cannot open");
    sqlite3_busy_timeout(db_, 30000);
    if (sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot create the events table");
    // The tracker store's table has the same name and another shape (§6): refuse to mix them.
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT 1 FROM pragma_table_info('events') WHERE name = 'type_name'", -1, &st, nullptr);
    bool tracker_table = st && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (tracker_table) {
      close();
      return Error{ErrorKind::Usage, path_ + ": its events table is a tracker store's, not an SQL event broker's"};
    }
    return std::nullopt;
  }

  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult result;
    if (auto err = connect()) {
      result.error = err;
      return result;
    }
    sqlite3_stmt* ins = nullptr;
    bool ok = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK &&
              sqlite3_prepare_v2(db_, "INSERT INTO events (sender_id, data) VALUES (?1, ?2)", -1, &ins, nullptr) == SQLITE_OK;
    for (std::size_t i = 0; ok && i < batch.size(); ++i) {
      sqlite3_bind_text(ins, 1, batch[i].sender_id.data(), static_cast<int>(batch[i].sender_id.size()), SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, batch[i].body.data(), static_cast<int>(batch[i].body.size()), SQLITE_STATIC);
      ok = sqlite3_step(ins) == SQLITE_DONE;
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (ok && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) {
      result.confirmed = batch.size();
      return result;
    }
    result.error = fail("cannot insert events");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return result;
  }

  void close() override {
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
  }

 private:
  Error fail(const std::string& what) {
    return Error{ErrorKind::Upstream, path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<EventBroker>> make_sql_broker(const Json& section, const BrokerOptions& options,
                                                     std::vector<std::string>& warnings) {
  warn_unknown_keys(section, {"dialect", "port", "db", "username", "password"}, options, warnings);
  const std::string at = options.source + ": event_broker: ";
  std::string dialect = text_value(section, "dialect").value_or("sqlite");
  std::string path = text_value(section, "db").value_or("events.db");
  if (auto url = text_value(section, "url"); url && url->find("://") != std::string::npos) {
    if (url->rfind("sqlite:///", 0) != 0) return usage_error(at + "the sql broker supports SQLite only, got url " + *url);
    path = url->substr(10);
  } else if (dialect != "sqlite") {
    return usage_error(at + "the sql broker supports dialect sqlite only, got '" + dialect + "'");
  }
  if (path.empty() || path == ":memory:") return usage_error(at + "the sql broker needs a database file (db)");
  auto broker = std::make_unique<SqlBroker>(path);
  // Like Rasa, an unusable database is a startup error.
  if (auto err = broker->connect()) return usage_error(at + err->message);
  return std::unique_ptr<EventBroker>(std::move(broker));
}

}  // namespace convo::broker_internal
