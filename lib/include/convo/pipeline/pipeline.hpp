// The one write API. A Pipeline is a store's Conversations plus, when endpoints.yml names an
// event broker, the Publisher draining the store's outbox into it: `convo serve` runs one for its
// lifetime, each CLI write (tracker put|load, events push) one for the command. Every source writes
// through `conversations()`, so session starts, auto-fill and outbox messages happen in one place.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/core/domain.hpp"
#include "convo/pipeline/conversations.hpp"
#include "convo/pipeline/publisher.hpp"

namespace convo {

class Pipeline {
 public:
  // With a broker, writes enqueue their broker bodies in the same transaction and the Publisher
  // (started here) sends them. `log` receives the Publisher's state changes (problem, line).
  Pipeline(std::shared_ptr<TrackerStore> store, std::shared_ptr<const Domain> domain,
           std::unique_ptr<EventBroker> broker = nullptr,
           std::function<void(bool problem, const std::string& line)> log = nullptr);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  const std::shared_ptr<Conversations>& conversations() const { return conversations_; }
  TrackerStore& store() { return *store_; }
  bool publishing() const { return publisher_ != nullptr; }
  // /status's convo.event_broker: {url, state, outbox, published, error?, retry_in?}; null without a broker.
  Json broker_status() const;
  // Stops publishing after at most `flush` waiting for the broker; returns how many messages
  // are left in the outbox (they go out with the next pipeline on this store). Idempotent.
  std::size_t close(std::chrono::milliseconds flush);

 private:
  std::shared_ptr<TrackerStore> store_;
  std::shared_ptr<Conversations> conversations_;
  std::unique_ptr<Publisher> publisher_;
};

Json publisher_status_json(const PublisherStatus& status);

// Events a command is about to store: parsed all-or-nothing and checked to apply (as Rasa would
// load them), so nothing is stored when any item is bad. Skipped items are `warnings`; the error
// names `source` and the first bad item and ends "; nothing was stored".
struct PreparedEvents {
  std::vector<EventPtr> events;
  std::vector<std::string> warnings;
};
Result<PreparedEvents> prepare_events(const Json& events, const std::string& source,
                                      std::shared_ptr<const Domain> domain);

}  // namespace convo
