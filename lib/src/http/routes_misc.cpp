// GET /, /version, /status, /domain, the legacy GET /conversations, and the endpoints that need a
// trained model, which answer as Rasa does without one (spec http-api.md §1.6, §3).
#include "convo/core/text.hpp"
#include "convo/core/yaml_json.hpp"
#include "server_internal.hpp"

namespace convo::http_internal {
namespace {

HttpError no_core_model() {
  return {409, "Conflict", "No agent loaded. To continue processing, a model of a trained agent needs to be loaded.",
          {}, "https://rasa.com/docs/rasa/user-guide/configuring-http-api/"};
}

Json status_body(Conversations& conv, const ServerOptions& options) {
  // Rasa's keys, then convo's readiness report (scripts and probes; Rasa has none).
  bool store_ready = true;
  std::string store_error;
  auto probe = conv.with_store(
      [](TrackerStore& store) { return store.list(ListOptions{std::optional<double>(1e300), std::nullopt}); });
  if (!probe) {
    store_ready = false;
    store_error = probe.error().message;
  }
  Json store = {{"url", options.store_description}, {"ready", store_ready}};
  if (!store_ready) store["error"] = store_error;
  Json model = options.models ? options.models->status() : Json{{"loaded", false}};
  Json convo = {{"ready", store_ready}, {"store", store}, {"model", std::move(model)}};
  // The broker's state does not make the server unready: events wait in the outbox.
  if (options.broker_status) convo["event_broker"] = options.broker_status();
  return {{"model_file", options.models ? options.models->model_file() : Json()},
          {"fingerprint", options.models ? options.models->fingerprint() : Json::object()},
          {"num_active_training_jobs", 0},
          {"convo", std::move(convo)}};
}

// PUT /model (§3.17): model_server (pull now, then on its interval), else model_file. Errors
// as Rasa's: 400 BadRequest for what cannot be loaded, 500 LoadingError for what fails loading.
void put_model(ModelManager& models, const std::string& dir, const httplib::Request& req, httplib::Response& res) {
  if (req.body.empty()) return reply_error(res, {400, "BadRequest", "No path to model file defined in request_body."});
  Json body;
  try {
    body = Json::parse(req.body);
  } catch (const std::exception&) {
    return reply_error(res, {400, "BadRequest", "Failed when parsing body as json"});
  }
  if (!body.is_object()) body = Json::object();
  const Json model_file = body.value("model_file", Json());
  const Json server = body.value("model_server", Json());
  const std::string name = model_file.is_string() ? model_file.get<std::string>() : "None";
  auto cannot = [&] {
    reply_error(res, {400, "BadRequest", "Agent with name '" + name + "' could not be loaded.",
                      {{"parameter", "model"}, {"in", "query"}}});
  };
  if (py_truthy(server)) {
    auto settings = model_server_from_json(server, "model_server");
    if (!settings)
      return reply_error(res, {400, "BadRequest", "Supplied 'model_server' is not valid. Error: " + settings.error().message,
                               {{"parameter", "model_server"}, {"in", "body"}}});
    PullResult first = models.start_pulling(std::move(*settings), dir);
    if (first.outcome == PullOutcome::Failed)
      return reply_error(res, http_error_for(runtime_error("An unexpected error occurred. Error: " + first.error.message), "LoadingError"));
    if (!models.loaded()) return cannot();
  } else if (py_truthy(body.value("remote_storage", Json()))) {
    return reply_error(res, {400, "BadRequest", "Remote storage is not supported by convo; use model_file or model_server.",
                             {{"parameter", "remote_storage"}, {"in", "body"}}});
  } else {
    if (!model_file.is_string()) return cannot();
    auto loaded = models.load(name);
    if (!loaded) {
      if (loaded.error().kind == ErrorKind::NotFound) return cannot();
      return reply_error(res, http_error_for(runtime_error("An unexpected error occurred. Error: " + loaded.error().message), "LoadingError"));
    }
  }
  res.status = 204;
}

}  // namespace

void add_misc_routes(std::vector<Route>& routes, Conversations& conversations, const ServerOptions& options) {
  Conversations* conv = &conversations;
  const ServerOptions* opts = &options;
  routes.push_back({"GET", std::regex("/"), false, false, false,
                    [](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      reply_text(res, 200, std::string("Hello from Rasa: ") + kRasaVersion, "text/plain; charset=utf-8");
                    }});
  routes.push_back({"GET", std::regex("/version"), true, false, false,
                    [](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      reply_json(res, 200, {{"version", kRasaVersion}, {"minimum_compatible_version", kMinimumCompatibleVersion}});
                    }});
  routes.push_back({"GET", std::regex("/status"), true, true, false,
                    [conv, opts](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      Json body = status_body(*conv, *opts);
                      reply_json(res, body["convo"]["ready"].get<bool>() ? 200 : 503, body);
                    }});
  routes.push_back({"PUT", std::regex("/model"), true, true, false,
                    [opts](const httplib::Request& req, httplib::Response& res, const std::smatch&) {
                      if (!opts->models) return reply_error(res, http_error_for(runtime_error("This server runs without models."), "LoadingError"));
                      put_model(*opts->models, opts->model_dir, req, res);
                    }});
  routes.push_back({"DELETE", std::regex("/model"), true, true, false,
                    [opts](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      if (opts->models) opts->models->unload();
                      res.status = 204;
                    }});
  routes.push_back({"GET", std::regex("/conversations"), true, true, false,
                    [conv](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      auto listed = conv->with_store([](TrackerStore& store) { return store.list({}); });
                      if (!listed) return reply_error(res, http_error_for(listed.error()));
                      Json ids = Json::array();
                      for (const auto& c : *listed) ids.push_back(c.sender_id);
                      reply_json(res, 200, ids);
                    }});
  routes.push_back({"GET", std::regex("/domain"), true, true, false,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch&) {
                      // Without --domain the server's domain is Rasa's empty one.
                      Domain empty;
                      const Domain& domain = conv->domain() ? *conv->domain() : empty;
                      // As Rasa: the Accept header's ending decides; absent means JSON.
                      const std::string accept = req.has_header("Accept") ? req.get_header_value("Accept") : "application/json";
                      if (ends_with(accept, "json")) {
                        reply_json(res, 200, domain_as_dict(domain));
                      } else if (ends_with(accept, "yml") || ends_with(accept, "yaml")) {
                        reply_text(res, 200, "version: '2.0'\n" + json_to_yaml(domain_as_dict(domain)), "application/x-yml");
                      } else {
                        reply_error(res, {406, "NotAcceptable",
                                          "Invalid Accept header. Domain can be provided as json (\"Accept: application/json\") "
                                          "oryml (\"Accept: application/x-yml\"). Make sure you've set the appropriate Accept "
                                          "header.", Json::object(), nullptr});
                      }
                    }});
  // Endpoints that run a trained model: without one, Rasa's agent has no dialogue policies.
  for (const char* path : {"/model/test/stories", "/model/predict", "/model/test/intents", "/model/train"}) {
    routes.push_back({"POST", std::regex(path), true, true, false,
                      [](const httplib::Request&, httplib::Response& res, const std::smatch&) { reply_error(res, no_core_model()); }});
  }
}

}  // namespace convo::http_internal
