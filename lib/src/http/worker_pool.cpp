#include "worker_pool.hpp"

#include <thread>

namespace convo::http_internal {

WorkerPool::WorkerPool(std::size_t min_threads, std::size_t max_threads, std::chrono::milliseconds idle)
    : min_threads_(min_threads), max_threads_(max_threads < 1 ? 1 : max_threads), idle_timeout_(idle) {}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(mutex_);
  tasks_.push_back(std::move(task));
  // Every idle thread already has a task waiting for it: one more thread, while the cap allows.
  if (tasks_.size() > idle_ && threads_ < max_threads_) {
    ++threads_;
    // Detached: a thread that idles out ends on its own; shutdown() waits on the count instead.
    std::thread([this] { work(); }).detach();
  } else {
    wake_.notify_one();
  }
}

void WorkerPool::shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  ended_.wait(lock, [this] { return threads_ == 0; });
}

std::size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_;
}

void WorkerPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (tasks_.empty()) {
      if (stopping_) break;
      ++idle_;
      const bool woken = wake_.wait_for(lock, idle_timeout_, [this] { return !tasks_.empty() || stopping_; });
      --idle_;
      if (!woken && threads_ > min_threads_) break;  // idled out: the pool shrinks
      continue;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A connection's task never takes its worker down; cpp-httplib answers handler errors itself.
    }
    lock.lock();
  }
  --threads_;
  ended_.notify_all();
}

}  // namespace convo::http_internal
