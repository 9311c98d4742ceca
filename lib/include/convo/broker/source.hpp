// A stream of broker messages for a consumer (`convo consume-kafka`, `convo consume-amqp`).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/broker_message.hpp"
#include "convo/core/error.hpp"

namespace convo {

struct SourceBatch {
  std::vector<InboundMessage> messages;
  // Nothing more to read right now: Kafka: every assigned partition is at its end; AMQP: the
  // queue has no ready message. `-e` stops once a batch says so.
  bool end_of_stream = false;
  std::size_t lag = 0;  // messages known to wait behind this batch (for progress), 0 if unknown
};

class MessageSource {
 public:
  virtual ~MessageSource() = default;
  virtual std::string describe() const = 0;
  // Waits up to `wait` for messages and returns at most `max`, possibly none. Connects (again)
  // as needed: a broker that cannot be reached is an Upstream error, and the caller backs off
  // and polls again; messages not yet acknowledged come back after a reconnect.
  virtual Result<SourceBatch> poll(std::size_t max, std::chrono::milliseconds wait) = 0;
  // After the batch's store transaction committed: AMQP acks it, Kafka commits the offsets to
  // the consumer group (for lag tools; the store's offsets are what convo resumes from).
  virtual std::optional<Error> acknowledge(const SourceBatch& batch) = 0;
};

}  // namespace convo
