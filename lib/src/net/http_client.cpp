#include "convo/net/http_client.hpp"

#include "curl_api.hpp"

#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "convo/core/json.hpp"
#include "convo/core/text.hpp"

namespace convo {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Callbacks {
  const HttpTransfer* t;
  bool aborted_by_body = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* cb = static_cast<Callbacks*>(user);
  std::string line = strip_whitespace(std::string(data, size * count));
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect)
    auto space = line.find(' ');
    long status = space == std::string::npos ? 0 : std::strtol(line.c_str() + space + 1, nullptr, 10);
    if (cb->t->on_status) cb->t->on_status(status);
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos && cb->t->on_header)
    cb->t->on_header(ascii_lower(line.substr(0, colon)), strip_whitespace(line.substr(colon + 1)));
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* cb = static_cast<Callbacks*>(user);
  if (cb->t->on_body && !cb->t->on_body(data, size * count)) {
    cb->aborted_by_body = true;
    return 0;
  }
  return size * count;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* cb = static_cast<Callbacks*>(user);
  return cb->t->on_progress(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(total)) ? 0 : 1;
}

}  // namespace

Result<TransferResult> perform(const HttpTransfer& t) {
  global_init();
  CURL* curl = curl_easy_init();
  if (!curl) return runtime_error("cannot initialise libcurl");
  Callbacks cb{&t};
  curl_slist* headers = nullptr;
  for (const auto& h : t.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, t.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(t.timeout_s, t.connect_timeout_s) * 1000));
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &cb);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &cb);
  if (t.follow_redirects) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  }
  if (t.on_progress) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cb);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  if (t.body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, t.body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(t.body->size()));
  }
  if (t.basic_auth) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, t.basic_auth->first.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, t.basic_auth->second.c_str());
  }
  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  CURLcode rc = curl_easy_perform(curl);
  TransferResult result;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type) result.content_type = type;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    const std::string& shown = t.shown_url.empty() ? t.url : t.shown_url;
    ErrorKind kind = rc == CURLE_ABORTED_BY_CALLBACK || cb.aborted_by_body ? ErrorKind::Runtime : ErrorKind::Upstream;
    return Error{kind, shown + ": " + (error_text[0] ? error_text : curl_easy_strerror(rc))};
  }
  return result;
}

std::string url_escape(const std::string& text) {
  // RFC 3986 unreserved characters stay.
  return percent_encode(text, [](unsigned char c) {
    return !(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~');
  });
}

Result<HttpResponse> http_request(const ClientOptions& options, const std::string& method,
                                  const std::string& path_and_query, const std::string& body, bool idempotent) {
  std::string base = options.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpTransfer t;
  t.method = method;
  t.shown_url = base + path_and_query;
  t.url = t.shown_url;
  if (options.token)
    t.url += (path_and_query.find('?') == std::string::npos ? "?" : "&") + ("token=" + url_escape(*options.token));
  t.headers.push_back("Accept: application/json");
  if (!body.empty() || method == "POST" || method == "PUT") {
    t.headers.push_back("Content-Type: application/json");
    t.body = body;
  }
  if (options.jwt) t.headers.push_back("Authorization: Bearer " + *options.jwt);
  t.timeout_s = options.timeout_s;
  HttpResponse response;
  t.on_body = [&response](const char* data, std::size_t size) {
    response.body.append(data, size);
    return true;
  };
  const int attempts = idempotent ? options.retries + 1 : 1;
  Result<HttpResponse> last = runtime_error("no attempt made");
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << (i - 1)));
    response = HttpResponse{};
    auto done = perform(t);
    if (done) {
      response.status = done->status;
      response.content_type = done->content_type;
      last = response;
    } else {
      last = done.error();
    }
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
