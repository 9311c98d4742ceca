// The commands' client side: --url/--token/--jwt against Rasa's HTTP API, errors mapped to the
// documented exit codes (unreachable or 5xx: 5, 401/403: 4, 404: 3).
#include <cstdlib>

#include "cli.hpp"

namespace convo::cli {
namespace {

std::string env_or(const char* name, const std::string& given) {
  if (!given.empty()) return given;
  const char* v = std::getenv(name);
  return v ? v : "";
}

Result<Json> json_of(const HttpResponse& response, const std::string& what) {
  if (response.status < 200 || response.status >= 300) return error_from_response(response, what);
  try {
    return Json::parse(response.body);
  } catch (const std::exception&) {
    return Error{ErrorKind::Upstream, what + ": the server answered with something that is not JSON"};
  }
}

}  // namespace

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

Result<Json> remote_get_tracker(const StoreOptions& options, const std::string& sender, Verbosity verbosity,
                                std::optional<double> until) {
  std::string path = "/conversations/" + url_escape(sender) + "/tracker?include_events=" + std::string(verbosity_name(verbosity));
  if (until) path += "&until=" + python_float_repr(*until);
  ClientOptions client = client_options(options);
  auto response = http_request(client, "GET", path, "", true);
  if (!response) return response.error();
  return json_of(*response, "GET " + client.base_url + path);
}

Result<Json> remote_write_events(const StoreOptions& options, const std::string& method, const std::string& sender,
                                 const Json& events) {
  std::string path = "/conversations/" + url_escape(sender) + "/tracker/events?include_events=NONE";
  ClientOptions client = client_options(options);
  auto response = http_request(client, method, path, dump_compact(events), false);
  if (!response) return response.error();
  return json_of(*response, method + " " + client.base_url + path);
}

Result<Json> remote_list(const StoreOptions& options) {
  ClientOptions client = client_options(options);
  auto response = http_request(client, "GET", "/conversations", "", true);
  if (!response) return response.error();
  return json_of(*response, "GET " + client.base_url + "/conversations");
}

}  // namespace convo::cli
