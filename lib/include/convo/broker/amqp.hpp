// RabbitMQ through rabbitmq-c: Rasa's `type: pika` broker (spec §4) and the consumer source of
// `convo consume-amqp` (§12).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/broker/source.hpp"

namespace convo {

// A parsed AMQP address: the URI form (amqp[s]://user:pw@host:port/vhost?query) or Rasa's plain
// host with separate keys (§4.2).
struct AmqpAddress {
  bool tls = false;
  std::string host = "localhost";
  int port = 5672;
  std::string username = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  std::string ca_file, cert_file, key_file;  // TLS material (?cafile=, ?certfile=, ?keyfile=)
  bool verify_peer = true;                    // ?no_verify_ssl=1 turns it off
  int heartbeat = 0;                          // seconds; 0 = none
};
// Parses an amqp:// or amqps:// URI (percent-decoding; vhost = path without its leading '/',
// empty path = "/"). Usage error naming the problem otherwise.
Result<AmqpAddress> parse_amqp_url(const std::string& url);

struct AmqpBrokerSettings {
  AmqpAddress address;
  std::vector<std::string> queues{"rasa_core_events"};
  std::string exchange = "rasa-exchange";
  std::string app_id;  // RASA_ENVIRONMENT, when set
  std::chrono::milliseconds confirm_timeout{10000};
};
// The `event_broker:` section with `type: pika` (keys of §4.1; url as host or URI).
Result<AmqpBrokerSettings> amqp_broker_settings(const Json& section, const BrokerOptions& options,
                                                std::vector<std::string>& warnings);
std::unique_ptr<EventBroker> make_amqp_broker(AmqpBrokerSettings settings);

struct AmqpSourceSettings {
  AmqpAddress address;
  std::string queue = "rasa_core_events";
  std::string exchange;  // when set: declared like Rasa (fanout, non-durable) and the queue bound
  std::uint16_t prefetch = 1000;
};
std::unique_ptr<MessageSource> make_amqp_source(AmqpSourceSettings settings);

}  // namespace convo
