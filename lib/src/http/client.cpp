#include "convo/http/client.hpp"
#include "convo/core/text.hpp"

#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "convo/core/json.hpp"

namespace convo {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One attempt; a transport failure is an error, any HTTP status is a response.
Result<HttpResponse> attempt(const ClientOptions& options, const std::string& method, const std::string& url,
                             const std::string& shown_url, const std::string& body) {
  CURL* curl = curl_easy_init();
  if (!curl) return runtime_error("cannot initialise libcurl");
  HttpResponse response;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!body.empty() || method == "POST" || method == "PUT") headers = curl_slist_append(headers, "Content-Type: application/json");
  std::string auth;
  if (options.jwt) {
    auth = "Authorization: Bearer " + *options.jwt;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(options.timeout_s, 10.0) * 1000));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type) response.content_type = type;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return Error{ErrorKind::Upstream, shown_url + ": " + (error_text[0] ? error_text : curl_easy_strerror(rc))};
  return response;
}

}  // namespace

std::string url_escape(const std::string& text) {
  // RFC 3986 unreserved characters stay.
  return percent_encode(text, [](unsigned char c) {
    return !(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~');
  });
}

Result<HttpResponse> http_request(const ClientOptions& options, const std::string& method,
                                  const std::string& path_and_query, const std::string& body, bool idempotent) {
  global_init();
  std::string base = options.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string shown = base + path_and_query;
  std::string url = shown;
  if (options.token) url += (path_and_query.find('?') == std::string::npos ? "?" : "&") + ("token=" + url_escape(*options.token));
  const int attempts = idempotent ? options.retries + 1 : 1;
  Result<HttpResponse> last = runtime_error("no attempt made");
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << (i - 1)));
    last = attempt(options, method, url, shown, body);
    bool retry = !last.ok() || last->status >= 500;
    if (!retry) break;
  }
  return last;
}

Error error_from_response(const HttpResponse& response, const std::string& what) {
  std::string detail;
  try {
    Json body = Json::parse(response.body);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) detail = body["message"];
    else if (body.is_object() && body.contains("reasons")) detail = dump_compact(body["reasons"]);
  } catch (...) {
  }
  std::string message = what + ": HTTP " + std::to_string(response.status) + (detail.empty() ? "" : " " + detail);
  ErrorKind kind = ErrorKind::Runtime;
  if (response.status == 401 || response.status == 403) kind = ErrorKind::Auth;
  else if (response.status == 404) kind = ErrorKind::NotFound;
  else if (response.status >= 500) kind = ErrorKind::Upstream;
  return Error{kind, message};
}

}  // namespace convo
