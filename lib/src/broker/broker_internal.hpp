// Brokers convo implements without a client library: Rasa's `type: sql` and `type: file`.
#pragma once

#include "convo/broker/broker.hpp"

namespace convo::broker_internal {

Result<std::unique_ptr<EventBroker>> make_file_broker(const Json& section, const BrokerOptions& options,
                                                      std::vector<std::string>& warnings);
Result<std::unique_ptr<EventBroker>> make_sql_broker(const Json& section, const BrokerOptions& options,
                                                     std::vector<std::string>& warnings);

// "<source>: event_broker: unknown key 'x' ignored" for every key not in `known`.
void warn_unknown_keys(const Json& section, std::initializer_list<const char*> known, const BrokerOptions& options,
                       std::vector<std::string>& warnings);

// A key's value as text: strings as they are, numbers as written; nullopt when absent or null.
std::optional<std::string> text_value(const Json& section, const char* key);

}  // namespace convo::broker_internal
