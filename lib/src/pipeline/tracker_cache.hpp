// Conversations kept in memory between requests: the tracker a request built (and the prediction
// memory its turns filled), keyed by conversation and tagged with the store's version of it
// (TrackerStore::version), so the next request on that conversation skips the load and the
// replay when nothing else wrote to it since. Bounded by the number of events held: the least
// recently used conversations go first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "convo/core/tracker.hpp"
#include "convo/dialogue/policy.hpp"

namespace convo {

class TrackerCache {
 public:
  struct Entry {
    std::shared_ptr<Tracker> tracker;
    std::shared_ptr<dialogue::PredictionMemory> memory;
    std::int64_t version = 0;
  };

  explicit TrackerCache(std::size_t max_events) : max_events_(max_events) {}

  // Removes and returns the conversation's entry when its version is `version` (a writer takes it
  // for the time of its write, under the conversation's lock); a stale entry is dropped.
  std::optional<Entry> take(const std::string& id, std::int64_t version);
  // The tracker to read, when the entry is at `version`; the entry stays.
  std::shared_ptr<const Tracker> peek(const std::string& id, std::int64_t version);
  // Keeps (or replaces) the conversation's entry, then evicts down to the bound.
  void put(const std::string& id, Entry entry);
  void erase(const std::string& id);
  std::size_t size() const;

 private:
  struct Slot {
    Entry entry;
    std::size_t events = 0;
    std::list<std::string>::iterator lru;
  };
  void erase_locked(std::unordered_map<std::string, Slot>::iterator it);

  mutable std::mutex mutex_;
  std::size_t max_events_;
  std::size_t events_ = 0;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace convo
