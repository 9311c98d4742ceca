// PostgreSQL store with exactly Rasa's SQLTrackerStore schema (spec §8.4–8.5, PostgreSQL DDL):
// a database Rasa uses opens unchanged, and Rasa reads what convo writes. Semantics match
// SqliteStore (last session by id, inclusive windows, one transaction per write).
#pragma once

#include <string>

#include "convo/store/tracker_store.hpp"

struct pg_conn;

namespace convo {

class PostgresStore final : public TrackerStore {
 public:
  // url: postgresql://user:pw@host:port/db?params (or postgres://), passed to libpq as is.
  static Result<std::unique_ptr<TrackerStore>> open(const std::string& url, StoreAccess access);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  std::string describe() const override { return masked_url_; }
  Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                 const LoadOptions& options) override;
  Result<std::vector<OutboxMessage>> outbox_peek(std::size_t limit) override;
  std::optional<Error> outbox_remove(std::int64_t up_to_id) override;
  Result<std::size_t> outbox_depth() override;
  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override;
  Result<std::optional<std::int64_t>> version(const std::string& sender_id) override;

 private:
  PostgresStore(pg_conn* conn, std::string masked_url) : conn_(conn), masked_url_(std::move(masked_url)) {}
  std::optional<Error> prepare_schema();
  std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                             const std::vector<std::string>& outbox, bool replace_existing) override;
  Result<bool> has_outbox();
  Error failure(const std::string& what, const std::string& detail) const;

  pg_conn* conn_;
  std::string masked_url_;
  bool insert_prepared_ = false;  // the INSERT is prepared once per connection, on first write
};

// The URL with the password (user:PASSWORD@ and ?password=) replaced by ***, for messages.
std::string mask_postgres_url(const std::string& url);

}  // namespace convo
