// convo serve: a Rasa-compatible HTTP server over a tracker store (linked into convo-serve).
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <mutex>

#include "serve_options.hpp"
#include "convo/config/credentials.hpp"
#include "convo/io/file.hpp"
#include "convo/http/server.hpp"
#include "convo/dialogue/processor.hpp"
#include "convo/pipeline/models.hpp"
#include "convo/io/signals.hpp"
#include "convo/pipeline/pipeline.hpp"

namespace convo::cli {
namespace {

std::shared_ptr<spdlog::logger> make_logger(const ServeOptions& opt) {
  std::shared_ptr<spdlog::logger> logger;
  if (opt.log_file.empty()) logger = spdlog::stderr_color_mt("convo");
  else logger = spdlog::basic_logger_mt("convo", opt.log_file);
  logger->set_level(spdlog::level::from_str(opt.log_level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

int run_serve(const ServeOptions& opt) {
  // SIGINT/SIGTERM: blocked before any thread starts (the broker's client libraries start their
  // own), so only the watcher receives them; the server then stops accepting and lets in-flight
  // requests finish before the store is closed.
  std::function<void()> on_stop;
  std::mutex on_stop_mutex;
  StopSignals signals([&](int) {
    std::lock_guard<std::mutex> guard(on_stop_mutex);
    if (on_stop) on_stop();
  });
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());
  auto flush = duration_option("--broker-flush-timeout", opt.broker_flush);
  if (!flush) return report(flush.error());
  // endpoints.yml gives the tracker store and the event broker, read once.
  // --store, when given too, names the store instead of endpoints.yml (the flag wins, noted in the log).
  std::optional<EndpointsConfig> endpoints;
  if (!opt.store.endpoints.empty()) {
    auto loaded = load_endpoints_file(opt.store.endpoints);
    if (!loaded) return report(loaded.error());
    endpoints = std::move(*loaded);
  }
  auto opened = endpoints && opt.store.url.empty() ? open_endpoints_store(*endpoints, StoreAccess::ReadWrite)
                                                   : open_store_option(opt.store, StoreAccess::ReadWrite);
  if (!opened) return report(opened.error());
  std::shared_ptr<TrackerStore> store = std::move(*opened);
  std::unique_ptr<EventBroker> broker;
  if (endpoints) {
    auto made = open_broker_option(*endpoints);
    if (!made) return report(made.error());
    broker = std::move(*made);
  }
  auto logger = make_logger(opt);
  auto log_line = [logger](bool problem, const std::string& line) {
    if (problem) logger->warn("{}", line);
    else logger->info("{}", line);
  };

  ServerOptions server_options;
  server_options.interface = opt.interface;
  server_options.port = opt.port;
  server_options.enable_api = opt.enable_api;
  server_options.cors = opt.cors;
  if (!opt.auth_token.empty()) server_options.auth.token = opt.auth_token;
  if (!opt.jwt_secret.empty()) server_options.auth.jwt_secret = opt.jwt_secret;
  server_options.auth.jwt_method = opt.jwt_method;
  if (auto err = check_auth_config(server_options.auth)) return report(*err);
  server_options.response_timeout = opt.response_timeout;
  server_options.max_body_bytes = opt.max_body_mb << 20;
  server_options.ssl_certificate = opt.ssl_certificate;
  server_options.ssl_keyfile = opt.ssl_keyfile;
  server_options.store_description = store->describe();
  server_options.access_log = [logger](const std::string& line) { logger->info("{}", line); };
  if (!opt.credentials.empty()) {
    auto text = read_text_file(opt.credentials);
    if (!text) return report(text.error());
    auto channels = load_credentials_yaml(*text, opt.credentials, process_environment());
    if (!channels) return report(channels.error());
    warn_all(channels->warnings);
    server_options.channels = std::move(*channels);
  }

  Pipeline pipeline(store, *domain, std::move(broker), log_line);
  pipeline.conversations()->set_log(log_line);
  pipeline.conversations()->enable_reminders();
  if (endpoints && endpoints->action_endpoint.is_object()) {
    const Json& section = endpoints->action_endpoint;
    dialogue::ActionEndpoint action;
    action.url = string_or(section, "url");
    if (section.contains("token") && section["token"].is_string()) action.token = section["token"].get<std::string>();
    if (section.contains("timeout") && section["timeout"].is_number()) action.timeout_s = section["timeout"].get<double>();
    if (action.url.empty()) return report(usage_error(endpoints->source + ": action_endpoint: url is missing"));
    pipeline.conversations()->set_action_endpoint(action);
  }
  if (endpoints && endpoints->nlu.is_object()) {
    const Json& section = endpoints->nlu;
    const std::string type = ascii_lower(string_or(section, "type", "http"));
    if (type != "http") return report(usage_error(endpoints->source + ": nlu: type '" + type + "' is not supported (only http)"));
    dialogue::NluEndpoint nlu;
    nlu.url = string_or(section, "url");
    if (nlu.url.empty()) return report(usage_error(endpoints->source + ": nlu: url is missing"));
    if (section.contains("token") && section["token"].is_string()) nlu.token = section["token"].get<std::string>();
    pipeline.conversations()->set_nlu_endpoint(nlu);
  }
  if (endpoints && endpoints->nlg.is_object()) {
    const Json& section = endpoints->nlg;
    const std::string type = ascii_lower(string_or(section, "type", "callback"));
    if (type == "callback") {
      dialogue::NlgEndpoint nlg;
      nlg.url = string_or(section, "url");
      if (nlg.url.empty()) return report(usage_error(endpoints->source + ": nlg: url is missing"));
      pipeline.conversations()->set_nlg_endpoint(nlg);
    } else if (type != "response" && type != "template") {
      return report(usage_error(endpoints->source + ": nlg: type '" + type + "' is not supported (callback, response)"));
    }
  }
  if (pipeline.publishing()) server_options.broker_status = [&pipeline] { return pipeline.broker_status(); };
  // Models: --model first (a local archive), then the models: endpoint pulls once before the
  // server answers (as Rasa) and keeps pulling on its interval.
  auto models = std::make_shared<ModelManager>(pipeline.conversations(), *domain, log_line);
  std::string model_dir = opt.model_dir;
  if (model_dir.empty()) {
    std::error_code ec;
    model_dir = !opt.model.empty() && std::filesystem::is_directory(opt.model, ec) ? opt.model : "models";
  }
  if (!opt.model.empty())
    if (auto loaded = models->load(opt.model); !loaded) return report(loaded.error());
  if (endpoints && !endpoints->models.is_null()) {
    // A restart begins with the newest model pulled before (its ETag is in the fingerprint file).
    if (opt.model.empty() && resolve_model_path(model_dir)) (void)models->load(model_dir);
    auto settings = model_server_from_json(endpoints->models, endpoints->source + ": models");
    if (!settings) return report(settings.error());
    logger->info("pulling models from {} into {} ({})", model_display_url(*settings), model_dir,
                 settings->interval_s > 0 ? fmt::format("every {}s", settings->interval_s) : std::string("once"));
    models->start_pulling(std::move(*settings), model_dir);
  }
  server_options.models = models;
  server_options.model_dir = model_dir;
  HttpServer server(server_options, pipeline.conversations());

  if (auto err = server.bind()) return report(*err);
  logger->info("convo serve listening on {}://{}:{} (store {}, API {}, auth {})",
               opt.ssl_certificate.empty() ? "http" : "https", opt.interface, server.port(), store->describe(),
               opt.enable_api ? "enabled" : "disabled", server_options.auth.enabled() ? "on" : "off");
  {
    std::lock_guard<std::mutex> guard(on_stop_mutex);
    on_stop = [&] {
      logger->info("received {}, finishing in-flight requests", signals.signal() == SIGINT ? "SIGINT" : "SIGTERM");
      server.stop();
    };
  }
  if (signals.stop_requested()) server.stop();
  server.run();
  {
    std::lock_guard<std::mutex> guard(on_stop_mutex);
    on_stop = nullptr;
  }
  models->stop_pulling();
  if (pipeline.publishing()) {
    std::size_t left = pipeline.close(std::chrono::milliseconds(static_cast<long long>(*flush * 1000)));
    if (left) logger->warn("{} events still in the outbox; they are published on the next start", left);
    else logger->info("event broker outbox flushed");
  }
  logger->info("stopped");
  logger->flush();
  return kOk;
}


}  // namespace convo::cli
