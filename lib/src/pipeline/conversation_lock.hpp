// A conversation's lock held for a scope (Conversations' per-conversation lock table).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace convo {

// Holds a conversation's lock for a scope.
class ConversationLock {
 public:
  template <class Table>
  ConversationLock(Table& table, std::string id) : release_([&table, id](std::shared_ptr<std::mutex>& m) { table.release(id, m); }),
                                                   held_(table.acquire(id)) {}
  ~ConversationLock() { release_(held_); }
  ConversationLock(const ConversationLock&) = delete;
  ConversationLock& operator=(const ConversationLock&) = delete;

 private:
  std::function<void(std::shared_ptr<std::mutex>&)> release_;
  std::shared_ptr<std::mutex> held_;
};


}  // namespace convo
