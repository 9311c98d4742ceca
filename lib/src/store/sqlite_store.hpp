// SQLite store with exactly Rasa's SQLTrackerStore schema (spec §8.4–8.5): a real rasa.db opens
// unchanged, and Rasa reads what convo writes.
#pragma once

#include <string>

#include "convo/store/tracker_store.hpp"

struct sqlite3;

namespace convo {

class SqliteStore final : public TrackerStore {
 public:
  static Result<std::unique_ptr<TrackerStore>> open(const std::string& path, StoreAccess access);
  ~SqliteStore() override;

  std::string describe() const override { return "sqlite:///" + path_; }
  Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                 const LoadOptions& options) override;
  std::optional<Error> append(const std::string& sender_id,
                              const std::vector<EventPtr>& events) override;
  std::optional<Error> replace(const std::string& sender_id,
                               const std::vector<EventPtr>& events) override;
  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override;

 private:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                             bool replace_existing);
  Error failure(const std::string& what) const;

  sqlite3* db_;
  std::string path_;
};

}  // namespace convo
