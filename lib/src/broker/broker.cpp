#include <algorithm>
#include <cctype>

#include "broker_internal.hpp"
#include "convo/core/text.hpp"
#include "convo/broker/amqp.hpp"
#include "convo/broker/kafka.hpp"

namespace convo {
namespace broker_internal {

void warn_unknown_keys(const Json& section, std::initializer_list<const char*> known, const BrokerOptions& options,
                       std::vector<std::string>& warnings) {
  // Keys the generic endpoint parser swallows in Rasa (§1.1) are never the broker's business.
  static const char* const generic[] = {"type", "url", "params", "headers", "basic_auth", "token", "token_name", "cafile"};
  for (const auto& item : section.items()) {
    const std::string& key = item.key();
    auto is = [&](const char* k) { return key == k; };
    if (std::any_of(std::begin(generic), std::end(generic), is) || std::any_of(known.begin(), known.end(), is)) continue;
    warnings.push_back(options.source + ": event_broker: unknown key '" + key + "' ignored");
  }
}

std::optional<std::string> text_value(const Json& section, const char* key) {
  auto it = section.find(key);
  if (it == section.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return py_str(*it);
}

}  // namespace broker_internal

Result<std::unique_ptr<EventBroker>> open_broker(const Json& section, const BrokerOptions& options,
                                                 std::vector<std::string>& warnings) {
  if (!section.is_object()) return usage_error(options.source + ": event_broker: expected a mapping");
  std::string type = "pika";  // Rasa: a section without a type is RabbitMQ (§1.2)
  if (auto t = section.find("type"); t != section.end() && !t->is_null()) {
    if (!t->is_string()) return usage_error(options.source + ": event_broker: type must be a string");
    type = t->get<std::string>();
  }
  const std::string lower = ascii_lower(type);
  if (lower == "pika" || lower == "rabbitmq" || lower == "amqp") {
    auto settings = amqp_broker_settings(section, options, warnings);
    if (!settings) return settings.error();
    return make_amqp_broker(std::move(*settings));
  }
  if (lower == "kafka") {
    auto settings = kafka_broker_settings(section, options, warnings);
    if (!settings) return settings.error();
    return make_kafka_broker(std::move(*settings));
  }
  if (lower == "sql") return broker_internal::make_sql_broker(section, options, warnings);
  if (lower == "file") return broker_internal::make_file_broker(section, options, warnings);
  return usage_error(options.source + ": event_broker: type '" + type +
                     "' is not supported (convo has pika, kafka, sql and file; it loads no Python classes)");
}

}  // namespace convo
