// Chunks handed from one thread to another, in order, at most `max_queued` in flight (so memory
// stays bounded whichever side is slower); a chunk the consumer is done with comes back to the
// producer to be filled again, keeping its buffers' capacity.
//
// Two stages of one job on two threads, as RowCollector's (a statement stepped on a helper thread,
// its rows decoded on the caller's). What each side may throw is the user's to carry across.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace convo::sys {

template <class Chunk>
class Handoff {
 public:
  explicit Handoff(std::size_t max_queued) : max_queued_(max_queued) {}

  // Producer: an empty chunk (one handed back, else a new one); waits while `max_queued` are
  // queued, unless the consumer has given up (then null: the producer should stop).
  std::unique_ptr<Chunk> empty_chunk() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < max_queued_ || abandoned_; });
    if (abandoned_) return nullptr;
    if (spare_.empty()) return std::make_unique<Chunk>();
    auto chunk = std::move(spare_.back());
    spare_.pop_back();
    return chunk;
  }
  // Producer: the next chunk, in order.
  void push(std::unique_ptr<Chunk> chunk) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(chunk));
    }
    changed_.notify_all();
  }
  // Producer: nothing more will come.
  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    changed_.notify_all();
  }

  // Consumer: the next chunk, or null once the producer closed and everything was taken.
  std::unique_ptr<Chunk> pop() {
    std::unique_ptr<Chunk> chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return nullptr;
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    return chunk;
  }
  // Consumer: a chunk it is done with (cleared by the producer before it is filled again).
  void recycle(std::unique_ptr<Chunk> chunk) {
    std::lock_guard<std::mutex> lock(mu_);
    spare_.push_back(std::move(chunk));
  }
  // Consumer: takes no more; a waiting producer gets null from empty_chunk().
  void abandon() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      abandoned_ = true;
      queue_.clear();
    }
    changed_.notify_all();
  }

 private:
  const std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> queue_;
  std::vector<std::unique_ptr<Chunk>> spare_;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace convo::sys
