// In-process store (`memory:`): for tests and a server without persistence.
#pragma once

#include <map>
#include <mutex>

#include "convo/store/tracker_store.hpp"

namespace convo {

class MemoryStore final : public TrackerStore {
 public:
  std::string describe() const override { return "memory:"; }
  Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                 const LoadOptions& options) override;
  std::optional<Error> append(const std::string& sender_id,
                              const std::vector<EventPtr>& events) override;
  std::optional<Error> replace(const std::string& sender_id,
                               const std::vector<EventPtr>& events) override;
  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<Json>> conversations_;
};

}  // namespace convo
