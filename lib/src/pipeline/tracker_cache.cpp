#include "tracker_cache.hpp"

namespace convo {

void TrackerCache::erase_locked(std::unordered_map<std::string, Slot>::iterator it) {
  events_ -= it->second.events;
  lru_.erase(it->second.lru);
  slots_.erase(it);
}

std::optional<TrackerCache::Entry> TrackerCache::take(const std::string& id, std::int64_t version) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = slots_.find(id);
  if (it == slots_.end()) return std::nullopt;
  std::optional<Entry> out;
  if (it->second.entry.version == version) out = std::move(it->second.entry);
  erase_locked(it);
  return out;
}

std::shared_ptr<const Tracker> TrackerCache::peek(const std::string& id, std::int64_t version) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = slots_.find(id);
  if (it == slots_.end() || it->second.entry.version != version) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.entry.tracker;
}

void TrackerCache::put(const std::string& id, Entry entry) {
  const std::size_t events = entry.tracker ? entry.tracker->events().size() : 0;
  std::lock_guard<std::mutex> guard(mutex_);
  if (auto it = slots_.find(id); it != slots_.end()) erase_locked(it);
  if (events > max_events_) return;  // larger than the whole cache: not kept
  lru_.push_front(id);
  slots_.emplace(id, Slot{std::move(entry), events, lru_.begin()});
  events_ += events;
  while (events_ > max_events_ && !lru_.empty()) erase_locked(slots_.find(lru_.back()));
}

void TrackerCache::erase(const std::string& id) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (auto it = slots_.find(id); it != slots_.end()) erase_locked(it);
}

std::size_t TrackerCache::size() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return slots_.size();
}

}  // namespace convo
