// What the Kafka producer (kafka_broker.cpp) and consumer (kafka_source.cpp) share: building a
// librdkafka configuration from key/value properties, with a Usage error naming the bad key.
#pragma once

#include "kafka_api.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"

namespace convo::kafka {

using Properties = std::vector<std::pair<std::string, std::string>>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// A configuration with every property set in order; `what` prefixes the error
// ("event_broker", "-X") as in "event_broker: `linger.ms`: Invalid value ...".
inline Result<ConfPtr> make_conf(const Properties& properties, const std::string& what) {
  ConfPtr conf(rd_kafka_conf_new());
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK)
      return usage_error(what + ": `" + key + "`: " + err);
  }
  return conf;
}

// Sets or replaces one property (the last setting of a key wins, as librdkafka would have it).
inline void set_property(Properties& properties, const std::string& key, const std::string& value) {
  for (auto& p : properties) {
    if (p.first == key) {
      p.second = value;
      return;
    }
  }
  properties.emplace_back(key, value);
}

inline const std::string* find_property(const Properties& properties, const std::string& key) {
  for (const auto& p : properties)
    if (p.first == key) return &p.second;
  return nullptr;
}

// librdkafka logs to stderr by default; convo reports failures as error values instead.
inline void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace convo::kafka
