// The HTTP client the commands use to reach a Rasa (or convo) server: libcurl, Rasa's auth.
#pragma once

#include <optional>
#include <string>

#include "convo/core/error.hpp"

namespace convo {

struct ClientOptions {
  std::string base_url;               // http://host:5005
  std::optional<std::string> token;   // sent as ?token=
  std::optional<std::string> jwt;     // sent as Authorization: Bearer
  double timeout_s = 30;
  int retries = 2;                    // extra attempts for idempotent requests only
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
};

// One request. `path_and_query` starts with "/" and is already escaped. A transport failure
// (refused, timeout, DNS) is an Upstream error naming the URL (without the token).
Result<HttpResponse> http_request(const ClientOptions& options, const std::string& method,
                                  const std::string& path_and_query, const std::string& body = "",
                                  bool idempotent = false);

// Percent-escapes one path segment or query value.
std::string url_escape(const std::string& text);

// The documented exit-code kind for an HTTP failure: 401/403 Auth, 404 NotFound, 5xx Upstream,
// other 4xx Runtime; the message carries Rasa's error message when the body has one.
Error error_from_response(const HttpResponse& response, const std::string& what);

}  // namespace convo
