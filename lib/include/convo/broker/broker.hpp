// Event brokers: where published events go (brokers spec §2–7). One interface, synchronous and
// confirmed: `publish` returns only after the broker acknowledged every message (AMQP publisher
// confirms, Kafka delivery reports, a committed SQL row, a written file line). The durable outbox
// (pipeline/publisher.hpp) and `convo export` are its two callers.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convo/config/endpoints.hpp"
#include "convo/core/broker_message.hpp"
#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

struct BrokerMessage {
  std::string sender_id;        // Kafka message key when partition_by_sender
  std::string body;             // broker_body()
  std::vector<Header> headers;  // extra headers (the export id); live messages have none
};

struct PublishResult {
  std::size_t confirmed = 0;    // the first `confirmed` messages are acknowledged by the broker
  std::optional<Error> error;   // why the rest were not (Upstream: broker down or refusing)
};

class EventBroker {
 public:
  virtual ~EventBroker() = default;
  // For messages and /status: "amqp://guest@127.0.0.1:5672/ (exchange rasa-exchange)"; no password.
  virtual std::string describe() const = 0;
  // Connects (again) when needed; an Upstream error when the broker cannot be reached.
  virtual std::optional<Error> connect() = 0;
  // Publishes in order and waits for the broker's confirmation of each. Connects first when not
  // connected. After an error the broker object stays usable: the next call reconnects.
  virtual PublishResult publish(const std::vector<BrokerMessage>& batch) = 0;
  // Drops the connection (the next publish reconnects).
  virtual void close() = 0;
};

struct BrokerOptions {
  std::string source;   // file name for messages ("endpoints.yml")
  Environment env;      // RASA_ENVIRONMENT, RABBITMQ_SSL_CLIENT_*
};

// The broker an `event_broker:` section selects (spec §1.2): missing type or `pika` -> RabbitMQ,
// `kafka`, `sql`, `file`; anything else is a Usage error (convo loads no Python classes).
// The sql and file brokers open their database or file here (as Rasa, an unusable one is a
// startup error); pika and kafka connect on first use. Keys convo ignores are in `warnings`.
Result<std::unique_ptr<EventBroker>> open_broker(const Json& section, const BrokerOptions& options,
                                                 std::vector<std::string>& warnings);

}  // namespace convo
