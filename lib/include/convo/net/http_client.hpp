// The one libcurl wrapper. `perform` runs one request with streaming callbacks (the model puller
// writes bodies to disk with it); `http_request` is the buffered client the commands use to reach
// a Rasa (or convo) server, with Rasa's token/JWT auth and retries for idempotent requests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"

namespace convo {

// One request, streamed. A transport failure (refused, timeout, DNS, a callback's abort) is an
// error; any HTTP status is a result.
struct HttpTransfer {
  std::string method = "GET";
  std::string url;                 // complete and escaped
  std::string shown_url;           // for messages (a token masked); url when empty
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string> body;   // sent with Content-Type from headers
  double timeout_s = 30;
  double connect_timeout_s = 10;
  bool follow_redirects = false;
  std::optional<std::pair<std::string, std::string>> basic_auth;  // username, password
  // A new response's status line (redirects start a new one) and each header, name lower-cased.
  std::function<void(long status)> on_status;
  std::function<void(const std::string& name, const std::string& value)> on_header;
  // Body bytes; false aborts the transfer.
  std::function<bool(const char* data, std::size_t size)> on_body;
  // Bytes received so far and expected (0 when unknown); false aborts (a cancel).
  std::function<bool(std::uint64_t now, std::uint64_t total)> on_progress;
};

struct TransferResult {
  long status = 0;
  std::string content_type;
};

Result<TransferResult> perform(const HttpTransfer& transfer);

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

// The client edge's one error mapping, from an HTTP answer to an error kind: 401/403 Auth,
// 404 NotFound, 5xx Upstream, other 4xx Runtime; the message carries Rasa's error message
// when the body has one.
Error error_from_response(const HttpResponse& response, const std::string& what);

}  // namespace convo
