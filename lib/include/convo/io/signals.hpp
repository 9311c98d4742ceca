// SIGINT/SIGTERM as a stop request, without globals: the signals are blocked in every thread
// started after construction, and one watcher thread waits for them, raises `stop_requested()`
// and calls the callback (e.g. a server's stop()). The one signal helper every command uses.
#pragma once

#include <atomic>
#include <functional>
#include <signal.h>
#include <thread>

namespace convo {

class StopSignals {
 public:
  // Construct before starting any thread (client libraries start their own), so only the
  // watcher receives the signals.
  explicit StopSignals(std::function<void(int signal)> on_stop = nullptr);
  ~StopSignals();  // ends the watcher and restores the signal mask
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<bool>& flag() const { return stop_; }
  bool stop_requested() const { return stop_.load(); }
  int signal() const { return signal_.load(); }  // the signal received, 0 before any

 private:
  sigset_t set_{}, previous_{};
  std::atomic<bool> stop_{false};
  std::atomic<bool> closing_{false};
  std::atomic<int> signal_{0};
  std::function<void(int)> on_stop_;
  std::thread watcher_;
};

}  // namespace convo
