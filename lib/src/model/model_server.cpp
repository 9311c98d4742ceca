// The model server's settings (endpoints.yml `models:`, PUT /model's `model_server`), the URL
// requested, and pull results as JSON.
#include "convo/net/http_client.hpp"
#include "convo/model/pull.hpp"

namespace convo {
namespace {

std::string scalar_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

Result<std::vector<std::pair<std::string, std::string>>> string_pairs(const Json& section, const char* key,
                                                                      const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!section.contains(key) || section[key].is_null()) return out;
  if (!section[key].is_object()) return usage_error(where + ": '" + key + "' must be a mapping");
  for (const auto& item : section[key].items()) {
    if (item.value().is_object() || item.value().is_array() || item.value().is_null())
      return usage_error(where + ": " + key + "." + item.key() + " must be a single value");
    out.emplace_back(item.key(), scalar_text(item.value()));
  }
  return out;
}

}  // namespace

Result<ModelServer> model_server_from_json(const Json& section, const std::string& where) {
  if (!section.is_object()) return usage_error(where + ": expected a mapping with a 'url'");
  ModelServer server;
  if (!section.contains("url") || !section["url"].is_string()) return usage_error(where + ": 'url' is missing");
  server.url = section["url"].get<std::string>();
  auto scheme = server.url.find("://");
  std::string proto = scheme == std::string::npos ? "" : server.url.substr(0, scheme);
  if ((proto != "http" && proto != "https") || server.url.size() <= scheme + 3)
    return usage_error(where + ": url '" + server.url + "' is not an absolute http(s) URL");
  if (section.contains("token") && !section["token"].is_null()) server.token = scalar_text(section["token"]);
  if (section.contains("token_name") && section["token_name"].is_string())
    server.token_name = section["token_name"].get<std::string>();
  auto headers = string_pairs(section, "headers", where);
  if (!headers) return headers.error();
  server.headers = std::move(*headers);
  auto params = string_pairs(section, "params", where);
  if (!params) return params.error();
  server.params = std::move(*params);
  if (section.contains("basic_auth") && !section["basic_auth"].is_null()) {
    const Json& auth = section["basic_auth"];
    if (!auth.is_object() || !auth.contains("username") || !auth.contains("password"))
      return usage_error(where + ": basic_auth needs username and password");
    server.basic_auth = std::make_pair(scalar_text(auth["username"]), scalar_text(auth["password"]));
  }
  if (section.contains("wait_time_between_pulls")) {
    const Json& wait = section["wait_time_between_pulls"];
    double value = 0;
    bool ok = true;
    if (wait.is_null()) value = 0;
    else if (wait.is_number()) value = wait.get<double>();
    else if (wait.is_string()) {
      try {
        std::size_t used = 0;
        std::string text = wait.get<std::string>();
        value = std::stod(text, &used);
        ok = used == text.size();
      } catch (...) {
        ok = false;
      }
    } else ok = false;
    if (!ok || value < 0)
      return usage_error(where + ": wait_time_between_pulls must be a number of seconds, 0 or null (pull once)");
    server.interval_s = value;
  }
  return server;
}

std::string model_request_url(const ModelServer& server) {
  std::string url = server.url;
  auto add = [&](const std::string& k, const std::string& v) {
    url += (url.find('?') == std::string::npos ? "?" : "&") + url_escape(k) + "=" + url_escape(v);
  };
  for (const auto& [k, v] : server.params) add(k, v);
  if (!server.token.empty()) add(server.token_name, server.token);
  return url;
}

std::string model_display_url(const ModelServer& server) {
  ModelServer shown = server;
  if (!shown.token.empty()) shown.token = "***";
  std::string url = model_request_url(shown);
  std::string escaped = url_escape("***");
  auto at = url.rfind(escaped);
  if (at != std::string::npos) url.replace(at, escaped.size(), "***");
  return url;
}

const char* pull_outcome_name(PullOutcome outcome) {
  switch (outcome) {
    case PullOutcome::Updated: return "updated";
    case PullOutcome::Unchanged: return "unchanged";
    case PullOutcome::Discarded: return "discarded";
    case PullOutcome::Cancelled: return "cancelled";
    case PullOutcome::Failed: break;
  }
  return "error";
}

Json pull_result_json(const PullResult& r, const std::string& display_url) {
  Json out = {{"result", pull_outcome_name(r.outcome)},
              {"url", display_url},
              {"http_status", r.http_status == 0 ? Json() : Json(r.http_status)},
              {"fingerprint", r.fingerprint},
              {"bytes", r.bytes},
              {"seconds", r.seconds}};
  if (r.outcome == PullOutcome::Updated) out["file"] = r.file;
  if (r.outcome == PullOutcome::Failed || r.outcome == PullOutcome::Discarded) out["error"] = r.error.message;
  return out;
}

}  // namespace convo
