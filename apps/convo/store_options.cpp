// --store / --endpoints: one way for every command to find its tracker store.
#include <cstdlib>

#include "cli.hpp"
#include "convo/config/endpoints.hpp"
#include "convo/io/file.hpp"

namespace convo::cli {

void add_store_options(CLI::App& cmd, StoreOptions& options) {
  cmd.add_option("--store", options.url,
                 "Tracker store URL: sqlite:///path.db, postgresql://user:pw@host/db or memory: "
                 "(default: $CONVO_STORE, else sqlite:///rasa.db)")
      ->type_name("URL");
  cmd.add_option("--endpoints", options.endpoints,
                 "endpoints.yml whose tracker_store section names the store (as Rasa reads it)")
      ->type_name("FILE");
}

Result<EndpointsConfig> load_endpoints_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto endpoints = load_endpoints_yaml(*text, path, process_environment());
  if (!endpoints) return endpoints.error();
  for (const auto& w : endpoints->warnings) warn(w);
  return endpoints;
}

Result<std::unique_ptr<EventBroker>> open_broker_option(const EndpointsConfig& endpoints) {
  if (endpoints.event_broker.is_null()) return std::unique_ptr<EventBroker>();
  std::vector<std::string> warnings;
  auto broker = open_broker(endpoints.event_broker, BrokerOptions{endpoints.source, process_environment()}, warnings);
  for (const auto& w : warnings) warn(w);
  return broker;
}

Result<std::unique_ptr<TrackerStore>> open_endpoints_store(const EndpointsConfig& endpoints, StoreAccess access) {
  auto settings = store_settings_from_config(endpoints);
  if (!settings) return settings.error();
  for (const auto& w : settings->warnings) warn(w);
  return open_store(settings->url, access);
}

Result<std::unique_ptr<TrackerStore>> open_store_option(const StoreOptions& options, StoreAccess access) {
  if (!options.url.empty() && !options.endpoints.empty())
    return usage_error("give either --store or --endpoints, not both");
  std::string url = options.url;
  if (!options.endpoints.empty()) {
    auto endpoints = load_endpoints_file(options.endpoints);
    if (!endpoints) return endpoints.error();
    return open_endpoints_store(*endpoints, access);
  }
  return open_store(url.empty() ? default_store_url() : url, access);
}

std::string default_store_url() {
  const char* env = std::getenv("CONVO_STORE");
  return env && *env ? env : "sqlite:///rasa.db";
}

}  // namespace convo::cli
