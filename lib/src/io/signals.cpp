#include "convo/io/signals.hpp"

#include <pthread.h>

namespace convo {

StopSignals::StopSignals(std::function<void(int)> on_stop) : on_stop_(std::move(on_stop)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  watcher_ = std::thread([this] {
    int sig = 0;
    while (sigwait(&set_, &sig) == 0) {
      if (closing_.load()) return;
      signal_.store(sig);
      stop_.store(true);
      if (on_stop_) on_stop_(sig);
    }
  });
}

StopSignals::~StopSignals() {
  closing_.store(true);
  pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes sigwait; closing_ ends the loop
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace convo
