#include "memory_store.hpp"

#include <algorithm>

namespace convo {
namespace {

bool in_window(const Json& event, const std::optional<double>& since,
               const std::optional<double>& until, const std::optional<double>& before = std::nullopt) {
  if (!since && !until && !before) return true;
  const Json& ts = event.contains("timestamp") ? event["timestamp"] : Json();
  if (!ts.is_number()) return false;  // as SQL: NULL compares false
  double t = ts.get<double>();
  return (!since || t >= *since) && (!until || t <= *until) && (!before || t < *before);
}

}  // namespace

Result<std::optional<StoredConversation>> MemoryStore::load(const std::string& sender_id,
                                                            const LoadOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = conversations_.find(sender_id);
  if (it == conversations_.end() || it->second.empty()) return std::optional<StoredConversation>();
  const auto& events = it->second;
  std::size_t start = 0;
  if (!options.all_sessions) {
    for (std::size_t i = events.size(); i > 0; --i) {
      if (events[i - 1].value("event", Json()) == "session_started") {
        start = i - 1;
        break;
      }
    }
  }
  StoredConversation conv;
  conv.sender_id = sender_id;
  for (std::size_t i = start; i < events.size(); ++i)
    if (in_window(events[i], options.since, options.until, options.before)) conv.events.items.push_back(dump_compact(events[i]));
  return std::optional<StoredConversation>(std::move(conv));
}

void MemoryStore::enqueue(const std::string& sender_id, const std::vector<std::string>& outbox) {
  for (const auto& body : outbox) outbox_.push_back({next_outbox_id_++, sender_id, body});
}

std::optional<Error> MemoryStore::write(const std::string& sender_id, const std::vector<EventPtr>& events,
                                        const std::vector<std::string>& outbox, bool replace_existing) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& stored = conversations_[sender_id];
  if (replace_existing) stored.clear();
  for (const auto& e : events) stored.push_back(e->data());
  if (stored.empty()) conversations_.erase(sender_id);
  ++versions_[sender_id];
  enqueue(sender_id, outbox);
  return std::nullopt;
}

Result<std::optional<std::int64_t>> MemoryStore::version(const std::string& sender_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = versions_.find(sender_id);
  return std::optional<std::int64_t>(it == versions_.end() ? 0 : it->second);
}

Result<std::vector<OutboxMessage>> MemoryStore::outbox_peek(std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto n = std::min(limit, outbox_.size());
  return std::vector<OutboxMessage>(outbox_.begin(), outbox_.begin() + static_cast<std::ptrdiff_t>(n));
}

std::optional<Error> MemoryStore::outbox_remove(std::int64_t up_to_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!outbox_.empty() && outbox_.front().id <= up_to_id) outbox_.pop_front();
  return std::nullopt;
}

Result<std::size_t> MemoryStore::outbox_depth() {
  std::lock_guard<std::mutex> lock(mutex_);
  return outbox_.size();
}

Result<std::vector<ConversationSummary>> MemoryStore::list(const ListOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ConversationSummary> out;
  for (const auto& [sender, events] : conversations_) {
    ConversationSummary s{sender, 0, nullptr, nullptr};
    for (const auto& e : events) {
      if (!in_window(e, options.since, options.until)) continue;
      ++s.events;
      const Json& ts = e.contains("timestamp") ? e["timestamp"] : Json();
      if (!ts.is_number()) continue;
      if (s.first_event_time.is_null() || ts.get<double>() < s.first_event_time.get<double>())
        s.first_event_time = ts;
      if (s.last_event_time.is_null() || ts.get<double>() > s.last_event_time.get<double>())
        s.last_event_time = ts;
    }
    if (s.events > 0) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace convo
