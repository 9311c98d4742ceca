// Kafka through librdkafka: Rasa's `type: kafka` broker (spec §5) and the consumer source of
// `convo consume-kafka` (§12).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/broker/source.hpp"

namespace convo {

struct KafkaBrokerSettings {
  std::string topic = "rasa_core_events";
  bool partition_by_sender = false;
  // librdkafka properties: bootstrap.servers, client.id, security.*, sasl.*, ssl.*, the
  // murmur2_random partitioner, and any pass-through property.
  std::vector<std::pair<std::string, std::string>> properties;
  std::string rasa_environment;  // RASA_ENVIRONMENT when set: sent as a header of that name
};
// The `event_broker:` section with `type: kafka` (keys of §5.1/§5.3).
Result<KafkaBrokerSettings> kafka_broker_settings(const Json& section, const BrokerOptions& options,
                                                  std::vector<std::string>& warnings);
std::unique_ptr<EventBroker> make_kafka_broker(KafkaBrokerSettings settings);

enum class KafkaStart { Beginning, End, Stored };

struct KafkaSourceSettings {
  std::string brokers;   // bootstrap.servers
  std::string topic;
  // Consumer group: members share the partitions, offsets are committed for lag tools. Empty:
  // no group, every partition of the topic is read directly (as kcat -C does; no 3 s join).
  std::string group;
  KafkaStart start = KafkaStart::Stored;  // Stored: the sink's offset, else the beginning
  std::vector<std::pair<std::string, std::string>> properties;  // -X key=value
  // The next offset to read for a partition as the sink committed it, or nullopt.
  std::function<std::optional<std::int64_t>(const std::string& topic, std::int32_t partition)> stored_offset;
};
std::unique_ptr<MessageSource> make_kafka_source(KafkaSourceSettings settings);

}  // namespace convo
