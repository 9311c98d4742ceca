// --store / --endpoints / --url: one way for every command to find its tracker store (a database
// or a server behind the same TrackerStore interface) and the pipeline its writes go through.
#include <cstdlib>

#include "cli.hpp"
#include "convo/config/endpoints.hpp"
#include "convo/io/file.hpp"

namespace convo::cli {
namespace {

std::string env_or(const char* name, const std::string& given) {
  if (!given.empty()) return given;
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

void add_store_options(CLI::App& cmd, StoreOptions& options) {
  cmd.add_option("--store", options.url,
                 "Tracker store URL: sqlite:///path.db, postgresql://user:pw@host/db or memory: "
                 "(default: $CONVO_STORE, else sqlite:///rasa.db)")
      ->type_name("URL");
  cmd.add_option("--endpoints", options.endpoints,
                 "endpoints.yml whose tracker_store section names the store (as Rasa reads it)")
      ->type_name("FILE");
}

void add_server_options(CLI::App& cmd, StoreOptions& options) {
  cmd.add_option("--url", options.server, "Talk to a Rasa or convo server instead of a store ($CONVO_URL)")
      ->type_name("URL");
  cmd.add_option("--token", options.token, "Auth token for --url, sent as ?token= ($CONVO_TOKEN)")->type_name("TOKEN");
  cmd.add_option("--jwt", options.jwt, "JWT for --url, sent as Authorization: Bearer ($CONVO_JWT)")->type_name("JWT");
  cmd.add_option("--timeout", options.timeout, "Seconds to wait for the server")->capture_default_str()->type_name("SECONDS");
}

std::string server_url(const StoreOptions& options) {
  if (!options.server.empty()) return options.server;
  if (!options.url.empty() || !options.endpoints.empty()) return "";
  return env_or("CONVO_URL", "");
}

ClientOptions client_options(const StoreOptions& options) {
  ClientOptions client;
  client.base_url = server_url(options);
  std::string token = env_or("CONVO_TOKEN", options.token);
  std::string jwt = env_or("CONVO_JWT", options.jwt);
  if (!token.empty()) client.token = token;
  if (!jwt.empty()) client.jwt = jwt;
  client.timeout_s = options.timeout;
  return client;
}

Result<EndpointsConfig> load_endpoints_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto endpoints = load_endpoints_yaml(*text, path, process_environment());
  if (!endpoints) return endpoints.error();
  warn_all(endpoints->warnings);
  return endpoints;
}

Result<std::unique_ptr<EventBroker>> open_broker_option(const EndpointsConfig& endpoints) {
  if (endpoints.event_broker.is_null()) return std::unique_ptr<EventBroker>();
  std::vector<std::string> warnings;
  auto broker = open_broker(endpoints.event_broker, BrokerOptions{endpoints.source, process_environment()}, warnings);
  warn_all(warnings);
  return broker;
}

Result<std::unique_ptr<TrackerStore>> open_endpoints_store(const EndpointsConfig& endpoints, StoreAccess access) {
  auto settings = store_settings_from_config(endpoints);
  if (!settings) return settings.error();
  warn_all(settings->warnings);
  return open_store(settings->url, access);
}

// --store and an endpoints.yml that names a tracker_store: the flag wins, with a note.
void note_store_override(const StoreOptions& options, const EndpointsConfig& endpoints) {
  if (options.url.empty() || endpoints.tracker_store.is_null()) return;
  warn("--store overrides the tracker_store of " + options.endpoints + " (the flag wins)");
}

Result<std::unique_ptr<TrackerStore>> open_store_option(const StoreOptions& options, StoreAccess access) {
  if (!options.url.empty() && !options.endpoints.empty() && server_url(options).empty()) {
    auto endpoints = load_endpoints_file(options.endpoints);
    if (!endpoints) return endpoints.error();
    note_store_override(options, *endpoints);
  }
  if (!server_url(options).empty()) {
    ClientOptions client = client_options(options);
    return open_remote_store({client.base_url, client.token, client.jwt, client.timeout_s});
  }
  if (!options.endpoints.empty() && options.url.empty()) {
    auto endpoints = load_endpoints_file(options.endpoints);
    if (!endpoints) return endpoints.error();
    return open_endpoints_store(*endpoints, access);
  }
  return open_store(options.url.empty() ? default_store_url() : options.url, access);
}

Result<std::unique_ptr<Pipeline>> open_write_pipeline(const StoreOptions& options, std::shared_ptr<const Domain> domain) {
  std::unique_ptr<EventBroker> broker;
  Result<std::unique_ptr<TrackerStore>> store = std::unique_ptr<TrackerStore>();
  if (!options.endpoints.empty() && server_url(options).empty()) {
    // endpoints.yml gives the event broker, and the store unless --store names one.
    auto endpoints = load_endpoints_file(options.endpoints);
    if (!endpoints) return endpoints.error();
    note_store_override(options, *endpoints);
    store = options.url.empty() ? open_endpoints_store(*endpoints, StoreAccess::ReadWrite)
                                : open_store(options.url, StoreAccess::ReadWrite);
    if (!store) return store.error();
    auto made = open_broker_option(*endpoints);
    if (!made) return made.error();
    broker = std::move(*made);
  } else {
    store = open_store_option(options, StoreAccess::ReadWrite);
    if (!store) return store.error();
  }
  auto log = [](bool problem, const std::string& line) {
    if (problem) warn(line);
  };
  return std::make_unique<Pipeline>(std::shared_ptr<TrackerStore>(std::move(*store)), std::move(domain), std::move(broker), log);
}

void finish_writes(Pipeline& pipeline) {
  if (!pipeline.publishing()) return;
  std::size_t left = pipeline.close(std::chrono::seconds(10));
  if (left)
    warn(std::to_string(left) + " events wait in the outbox of " + pipeline.store().describe() +
         "; the next `convo serve` or write with this event broker publishes them");
}

}  // namespace convo::cli
