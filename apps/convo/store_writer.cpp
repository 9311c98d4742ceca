// Writes from the CLI (tracker put|load, events push) with endpoints.yml's event broker: the new
// events' broker bodies go into the store's outbox in the write's transaction, and finish()
// publishes them with the same Publisher `convo serve` runs.
#include <chrono>

#include "cli.hpp"
#include "convo/pipeline/publisher.hpp"

namespace convo::cli {

Result<StoreWriter> StoreWriter::open(const StoreOptions& options) {
  StoreWriter writer;
  if (!options.endpoints.empty() && options.url.empty()) {
    auto endpoints = load_endpoints_file(options.endpoints);
    if (!endpoints) return endpoints.error();
    auto store = open_endpoints_store(*endpoints, StoreAccess::ReadWrite);
    if (!store) return store.error();
    auto broker = open_broker_option(*endpoints);
    if (!broker) return broker.error();
    writer.store_ = std::move(*store);
    writer.broker_ = std::move(*broker);
    return writer;
  }
  auto store = open_store_option(options, StoreAccess::ReadWrite);
  if (!store) return store.error();
  writer.store_ = std::move(*store);
  return writer;
}

std::optional<Error> StoreWriter::append(const std::string& id, const std::vector<EventPtr>& events) {
  return store_->append(id, events, broker_ ? broker_bodies(id, events) : std::vector<std::string>{});
}

std::optional<Error> StoreWriter::replace(const std::string& id, const std::vector<EventPtr>& events) {
  std::vector<std::string> outbox;
  if (broker_) {
    auto stored = stored_event_count(*store_, id);
    if (!stored) return stored.error();
    std::vector<EventPtr> fresh(events.begin() + static_cast<std::ptrdiff_t>(std::min(*stored, events.size())),
                                events.end());
    outbox = broker_bodies(id, fresh);
  }
  return store_->replace(id, events, outbox);
}

void StoreWriter::finish() {
  if (!broker_) return;
  auto conversations = std::make_shared<Conversations>(store_, nullptr);
  PublisherOptions options;
  options.log = [](bool problem, const std::string& line) {
    if (problem) warn(line);
  };
  Publisher publisher(conversations, std::move(broker_), options);
  publisher.start();
  std::size_t left = publisher.stop(std::chrono::seconds(10));
  if (left)
    warn(std::to_string(left) + " events wait in the outbox of " + store_->describe() +
         "; the next `convo serve` or write with this event broker publishes them");
}

}  // namespace convo::cli
