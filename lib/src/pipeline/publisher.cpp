#include "convo/pipeline/publisher.hpp"

#include <algorithm>

namespace convo {

using Clock = std::chrono::steady_clock;

Publisher::Publisher(std::shared_ptr<Conversations> conversations, std::unique_ptr<EventBroker> broker,
                     PublisherOptions options)
    : conversations_(std::move(conversations)), broker_(std::move(broker)), options_(std::move(options)) {}

Publisher::~Publisher() { stop(std::chrono::milliseconds(0)); }

void Publisher::start() {
  if (auto err = broker_->connect()) {
    std::lock_guard<std::mutex> guard(mutex_);
    state_ = "disconnected";
    last_error_ = err->message;
    backoff_ = options_.min_backoff;
    retry_at_ = Clock::now() + backoff_;
    if (options_.log) options_.log(true, "event broker " + broker_->describe() + " unreachable (" + err->message +
                                   "); events wait in the outbox");
  } else {
    std::lock_guard<std::mutex> guard(mutex_);
    state_ = "connected";
    connected_ = true;
    if (options_.log) options_.log(false, "event broker " + broker_->describe() + " connected");
  }
  conversations_->set_outbox_listener([this] { notify(); });
  pending_ = true;  // drain what a previous run left behind
  thread_ = std::thread([this] { run(); });
}

void Publisher::notify() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    pending_ = true;
  }
  wake_.notify_one();
}

PublisherStatus Publisher::status() {
  PublisherStatus s;
  auto depth = conversations_->with_store([](TrackerStore& store) { return store.outbox_depth(); });
  std::lock_guard<std::mutex> guard(mutex_);
  s.broker = broker_->describe();
  s.state = state_;
  s.outbox = depth ? *depth : 0;
  s.published = published_;
  s.last_error = depth ? last_error_ : depth.error().message;
  if (state_ == "disconnected")
    s.retry_in = std::max(0.0, std::chrono::duration<double>(retry_at_ - Clock::now()).count());
  return s;
}

bool Publisher::drain_once() {
  auto rows = conversations_->with_store([&](TrackerStore& store) { return store.outbox_peek(options_.batch); });
  if (!rows) {
    std::lock_guard<std::mutex> guard(mutex_);
    last_error_ = rows.error().message;
    return false;
  }
  if (rows->empty()) return true;
  std::vector<BrokerMessage> batch;
  batch.reserve(rows->size());
  // The bodies move into the batch; the rows keep their ids for the removal below.
  for (auto& row : *rows) batch.push_back({std::move(row.sender_id), std::move(row.body), {}});
  PublishResult result = broker_->publish(batch);
  if (result.confirmed > 0) {
    auto up_to = (*rows)[result.confirmed - 1].id;
    auto err = conversations_->with_store([&](TrackerStore& store) { return store.outbox_remove(up_to); });
    std::lock_guard<std::mutex> guard(mutex_);
    published_ += result.confirmed;
    if (err) last_error_ = err->message;
  }
  std::lock_guard<std::mutex> guard(mutex_);
  if (result.error) {
    bool was_connected = connected_;
    connected_ = false;
    state_ = "disconnected";
    last_error_ = result.error->message;
    backoff_ = std::clamp(backoff_ * 2, options_.min_backoff, options_.max_backoff);
    retry_at_ = Clock::now() + backoff_;
    if (options_.log && was_connected)
      options_.log(true, "event broker " + broker_->describe() + " failed (" + last_error_ + "); retrying with backoff");
    return result.confirmed > 0;
  }
  if (!connected_ && options_.log) options_.log(false, "event broker " + broker_->describe() + " connected again");
  connected_ = true;
  state_ = "connected";
  last_error_.clear();
  backoff_ = std::chrono::milliseconds(0);
  pending_ = true;  // there may be more behind this batch
  return true;
}

void Publisher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const auto now = Clock::now();
    if (stopping_ && now >= deadline_) break;
    const bool can_try = connected_ || now >= retry_at_;
    if (!pending_ || !can_try) {
      // Sleep until woken, the backoff ends, or (connected) a periodic look at the outbox, which
      // also picks up messages other processes enqueued in a shared store.
      auto until = connected_ ? now + std::chrono::seconds(1) : retry_at_;
      if (stopping_) until = std::min(until, deadline_);
      bool woken = wake_.wait_until(lock, until, [&] { return pending_ && connected_; });
      if (!woken) pending_ = true;
      continue;
    }
    pending_ = false;
    const bool stopping = stopping_;
    lock.unlock();
    drain_once();
    std::size_t left = 1;
    if (stopping) {
      auto depth = conversations_->with_store([](TrackerStore& store) { return store.outbox_depth(); });
      left = depth ? *depth : 1;
    }
    lock.lock();
    if (stopping && left == 0) break;
  }
}

std::size_t Publisher::stop(std::chrono::milliseconds flush) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!thread_.joinable()) return 0;
    stopping_ = true;
    pending_ = true;
    deadline_ = Clock::now() + flush;
  }
  wake_.notify_one();
  thread_.join();
  conversations_->set_outbox_listener(nullptr);
  broker_->close();
  auto depth = conversations_->with_store([](TrackerStore& store) { return store.outbox_depth(); });
  return depth ? *depth : 0;
}

}  // namespace convo
