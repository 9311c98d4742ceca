// In-process store (`memory:`): for tests and a server without persistence.
#pragma once

#include <deque>
#include <map>
#include <mutex>

#include "convo/store/tracker_store.hpp"

namespace convo {

class MemoryStore final : public TrackerStore {
 public:
  std::string describe() const override { return "memory:"; }
  Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                 const LoadOptions& options) override;
  Result<std::vector<OutboxMessage>> outbox_peek(std::size_t limit) override;
  std::optional<Error> outbox_remove(std::int64_t up_to_id) override;
  Result<std::size_t> outbox_depth() override;
  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override;
  Result<std::optional<std::int64_t>> version(const std::string& sender_id) override;

 private:
  std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                             const std::vector<std::string>& outbox, bool replace_existing) override;
  void enqueue(const std::string& sender_id, const std::vector<std::string>& outbox);

  std::mutex mutex_;
  std::map<std::string, std::vector<Json>> conversations_;
  std::deque<OutboxMessage> outbox_;
  std::int64_t next_outbox_id_ = 1;
  std::map<std::string, std::int64_t> versions_;  // writes per conversation
};

}  // namespace convo
