// SQLite store with exactly Rasa's SQLTrackerStore schema (spec §8.4–8.5): a real rasa.db opens
// unchanged, and Rasa reads what convo writes. The outbox is a side table, convo_outbox.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "convo/store/tracker_store.hpp"
#include "sqlite_util.hpp"

namespace convo {

// Opens a database file: ReadOnly never creates or changes it (NotFound when missing or without
// an events table); ReadWrite creates it with Rasa's schema and convo's outbox, in WAL mode.
// Busy timeout 30 s either way. The caller owns the handle (sqlite3_close_v2).
Result<sqlite3*> open_sqlite_database(const std::string& path, StoreAccess access);

// The path a SQLite store URL names: sqlite:///relative, sqlite:////abs, or a plain path;
// nullopt for other URLs (and for sqlite:// URLs naming no file).
std::optional<std::string> sqlite_path_of(const std::string& url);

// "<path>: <what>: <sqlite message>", Runtime (noting a lock that did not go away).
Error sqlite_failure(sqlite3* db, const std::string& path, const std::string& what);

// The INSERT of one events row, with bind_event_row filling ?1..?6 (Rasa's columns, §8.5).
inline constexpr const char* kInsertEventSql =
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
void bind_event_row(Statement& insert, const std::string& sender_id, const EventRow& row);

class SqliteStore final : public TrackerStore {
 public:
  static Result<std::unique_ptr<TrackerStore>> open(const std::string& path, StoreAccess access);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::string describe() const override { return "sqlite:///" + path_; }
  Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                 const LoadOptions& options) override;
  Result<std::vector<OutboxMessage>> outbox_peek(std::size_t limit) override;
  std::optional<Error> outbox_remove(std::int64_t up_to_id) override;
  Result<std::size_t> outbox_depth() override;
  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override;
  Result<std::optional<std::int64_t>> version(const std::string& sender_id) override;
  std::optional<Error> append_many(const std::vector<AppendRequest>& batch) override;

 private:
  // One transaction: each request's rows (after deleting the conversation's, with
  // replace_existing), then commit; the last ids written are remembered for version().
  std::optional<Error> transaction(const std::vector<const AppendRequest*>& batch, bool replace_existing);
  std::optional<Error> write_rows(const AppendRequest& request, bool replace_existing, std::int64_t& last_id);
  static constexpr std::size_t kMaxWrittenVersions = 100000;
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                             const std::vector<std::string>& outbox, bool replace_existing) override;
  bool has_outbox();
  Error failure(const std::string& what) const { return sqlite_failure(db_, path_, what); }

  sqlite3* db_;
  std::string path_;
  StatementCache statements_;  // finalized after sqlite3_close_v2, which waits for them
  std::int64_t data_version_ = -1;  // PRAGMA data_version when version() last looked
  std::int64_t outside_writes_ = 0;
  std::unordered_map<std::string, std::int64_t> written_;  // sender -> last row id this connection wrote
};

}  // namespace convo
