// The durable outbox's drain: a thread that moves messages from the store's outbox to the event
// broker, removing each only after the broker confirmed it (brokers spec §3, §4.6, §5.4 — the
// improvements convo makes over Rasa's fire-and-forget publishing).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "convo/broker/broker.hpp"
#include "convo/pipeline/conversations.hpp"

namespace convo {

struct PublisherStatus {
  std::string broker;        // the broker's describe()
  std::string state;         // "connected", "disconnected" (backing off) or "connecting"
  std::size_t outbox = 0;    // messages waiting
  std::uint64_t published = 0;  // confirmed since start
  std::string last_error;    // the last failure, "" when none since the last success
  double retry_in = 0;       // seconds until the next attempt while disconnected
};

struct PublisherOptions {
  std::size_t batch = 5000;                                 // messages per publish call
  std::chrono::milliseconds min_backoff{250}, max_backoff{30000};
  // State changes: (problem, message); problem = the broker failed. Null: silent.
  std::function<void(bool, const std::string&)> log;
};

class Publisher {
 public:
  Publisher(std::shared_ptr<Conversations> conversations, std::unique_ptr<EventBroker> broker,
            PublisherOptions options = {});
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Connects once (a failure is logged, not fatal: the outbox keeps the events) and starts the
  // drain thread; conversations then enqueue their new events.
  void start();
  // Wakes the drain thread (new messages in the outbox).
  void notify();
  PublisherStatus status();
  // Stops taking new work, drains the outbox for at most `flush`, closes the broker. Returns
  // the number of messages left in the outbox.
  std::size_t stop(std::chrono::milliseconds flush);

 private:
  void run();
  bool drain_once();  // true when it published something or the outbox is empty

  std::shared_ptr<Conversations> conversations_;
  std::unique_ptr<EventBroker> broker_;
  PublisherOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false, stopping_ = false;
  std::chrono::steady_clock::time_point deadline_{};  // flush deadline once stopping
  std::thread thread_;
  // Status, guarded by mutex_.
  std::string state_ = "connecting", last_error_;
  std::uint64_t published_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  bool connected_ = false;
};

}  // namespace convo
