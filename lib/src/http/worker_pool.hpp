// The server's workers: cpp-httplib runs each connection, keep-alive included, as one task on its
// task queue, so a fixed pool of N threads makes connection N+1 wait until another closes (the
// source of long tails and timeouts with many chat front-ends connected). This pool grows a thread
// whenever a task would wait, up to `max_threads`, and lets threads idle for `idle` go, down to
// `min_threads`.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace convo::http_internal {

class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(std::size_t min_threads, std::size_t max_threads, std::chrono::milliseconds idle);
  ~WorkerPool() override;
  void enqueue(std::function<void()> task) override;
  // Runs what is queued, then waits for every thread to end.
  void shutdown() override;

  std::size_t threads() const;

 private:
  void work();

  const std::size_t min_threads_, max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // a task or shutdown for the workers
  std::condition_variable ended_;  // a worker ended (shutdown waits for all)
  std::deque<std::function<void()>> tasks_;
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;  // threads waiting for a task
  bool stopping_ = false;
};

}  // namespace convo::http_internal
