// Rasa's SQL event broker (§6): a table `events (id, sender_id, data)` with the full body per row.
// SQLite only; each batch commits in one transaction.
#include "broker_internal.hpp"
#include "convo/store/event_log.hpp"

namespace convo::broker_internal {
namespace {

class SqlBroker final : public EventBroker {
 public:
  explicit SqlBroker(std::string path) : path_(std::move(path)) {}

  std::string describe() const override { return "sql:sqlite:///" + path_; }

  std::optional<Error> connect() override {
    if (log_) return std::nullopt;
    auto opened = SqlEventLog::open(path_);
    if (!opened) return opened.error();
    log_ = std::move(*opened);
    return std::nullopt;
  }

  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult result;
    if (auto err = connect()) {
      result.error = err;
      return result;
    }
    std::vector<std::pair<std::string, std::string>> rows;
    rows.reserve(batch.size());
    for (const auto& m : batch) rows.emplace_back(m.sender_id, m.body);
    if (auto err = log_->append(rows)) result.error = err;
    else result.confirmed = batch.size();
    return result;
  }

  void close() override { log_.reset(); }

 private:
  std::string path_;
  std::unique_ptr<SqlEventLog> log_;
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
