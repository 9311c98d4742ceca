#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>

#include "server_internal.hpp"
#include "worker_pool.hpp"
#include "convo/core/text.hpp"

namespace convo {

using namespace http_internal;

namespace http_internal {

void reply_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump_compact(body), "application/json");
}

void reply_text(httplib::Response& res, int status, const std::string& body, const std::string& type) {
  res.status = status;
  res.set_content(body, type.c_str());
}

std::optional<Json> object_body(const httplib::Request& req, httplib::Response& res) {
  auto parsed = parse_json_text(req.body);
  if (auto* body = std::get_if<Json>(&parsed); body && body->is_object()) return std::move(*body);
  reply_error(res, {400, "BadRequest", "The request body must be a JSON object.", {{"parameter", ""}, {"in", "body"}},
                    nullptr});
  return std::nullopt;
}

void reply_error(httplib::Response& res, const HttpError& error) { reply_json(res, error.code, rasa_error_json(error)); }

bool verbosity_param(const httplib::Request& req, httplib::Response& res, Verbosity& out) {
  out = Verbosity::AfterRestart;
  if (!req.has_param("include_events")) return true;
  auto v = parse_verbosity(req.get_param_value("include_events"));
  if (!v) {
    reply_error(res, {400, "BadRequest",
                      "Invalid parameter value for 'include_events'. Should be one of ['AFTER_RESTART', "
                      "'ALL', 'APPLIED', 'NONE']",
                      {{"parameter", "include_events"}, {"in", "query"}}, nullptr});
    return false;
  }
  out = *v;
  return true;
}

std::optional<double> float_param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string text = req.get_param_value(name.c_str());
  try {
    std::size_t used = 0;
    double d = std::stod(text, &used);
    if (used != text.size()) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

bool bool_param(const httplib::Request& req, const std::string& name, bool fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  return ascii_lower(req.get_param_value(name.c_str())) == "true";
}

}  // namespace http_internal

struct HttpServer::Impl {
  ServerOptions options;
  std::shared_ptr<Conversations> conversations;
  std::unique_ptr<httplib::Server> server;
  std::vector<Route> routes;
  int bound_port = -1;

  void dispatch(const httplib::Request& req, httplib::Response& res);
  void add_cors(const httplib::Request& req, httplib::Response& res) const;
};

namespace {

thread_local std::chrono::steady_clock::time_point request_started;

// The path re-escaped (so a decoded newline or space cannot forge or split a log line), without
// the query (the token never appears in the log).
std::string log_path(const std::string& path) {
  return percent_encode(path, [](unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '%'; });
}

std::string log_line(const httplib::Request& req, const httplib::Response& res) {
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_started).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, " %d %.1fms", res.status, ms);
  return req.remote_addr + " " + req.method + " " + log_path(req.path) + buf;
}

}  // namespace

void HttpServer::Impl::add_cors(const httplib::Request& req, httplib::Response& res) const {
  if (options.cors.empty()) return;
  const std::string origin = req.get_header_value("Origin");
  bool any = std::find(options.cors.begin(), options.cors.end(), "*") != options.cors.end();
  bool listed = std::find(options.cors.begin(), options.cors.end(), origin) != options.cors.end();
  if (origin.empty() || !(any || listed)) return;
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Access-Control-Allow-Credentials", "true");
  res.set_header("Access-Control-Expose-Headers", "filename");
}

void HttpServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res) {
  add_cors(req, res);
  // The library enforces the limit for Content-Length bodies only; a chunked body is checked here.
  if (req.body.size() > options.max_body_bytes) {
    reply_error(res, {413, "PayloadTooLarge", "Request body exceeds the configured limit", Json::object(), nullptr});
    return;
  }
  if (req.method == "OPTIONS" && !options.cors.empty()) {  // pre-flight, before auth
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", req.get_header_value("Access-Control-Request-Headers"));
    res.status = 204;
    return;
  }
  std::smatch match;
  const Route* found = nullptr;
  std::vector<std::string> allowed;
  for (const auto& route : routes) {
    if (route.api && !options.enable_api) continue;
    if (!std::regex_match(req.path, match, route.pattern)) continue;
    allowed.push_back(route.method);
    if (route.method == req.method) {
      found = &route;
      break;
    }
  }
  if (!found) {
    if (!allowed.empty()) {
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      res.set_header("Allow", allow);
      reply_error(res, {405, "MethodNotAllowed", "Method " + req.method + " not allowed for URL " + req.path, Json::object(), nullptr});
    } else {
      reply_error(res, {404, "NotFound", "Requested URL " + req.path + " not found", Json::object(), nullptr});
    }
    return;
  }
  std::regex_match(req.path, match, found->pattern);  // refresh: the loop may have matched others after
  if (found->protected_route && options.auth.enabled()) {
    AuthRequest auth;
    if (req.has_param("token")) auth.token_param = req.get_param_value("token");
    if (req.has_header("Authorization")) auth.authorization = req.get_header_value("Authorization");
    if (found->has_conversation) auth.conversation_id = match[1].str();
    AuthDecision decision = authorize(options.auth, auth, kRasaVersion, wall_clock_now());
    if (!decision.allowed) {
      reply_json(res, decision.status, decision.body);
      return;
    }
  }
  try {
    found->handler(req, res, match);
  } catch (const std::exception& e) {
    reply_error(res, {500, "ConversationError", std::string("An unexpected error occurred: ") + e.what(), Json::object(), nullptr});
  }
}

namespace {

// cpp-httplib (0.11, as Debian builds it) listens with a backlog of 5, so a burst of clients
// connecting at once waits for SYN retries (a second or more). Its listening socket is not exposed:
// find it (listening, bound to our port) and listen again with the system's maximum, which Linux
// applies to a socket that already listens.
void widen_backlog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t size = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t addr_size = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_size) != 0) continue;
    int bound = addr.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                             : -1;
    if (bound == port) listen(fd, SOMAXCONN);
  }
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<Conversations> conversations)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->conversations = std::move(conversations);
  add_misc_routes(impl_->routes, *impl_->conversations, impl_->options);
  add_tracker_routes(impl_->routes, *impl_->conversations);
  add_nlu_routes(impl_->routes, *impl_->conversations);
  add_channel_routes(impl_->routes, *impl_->conversations, impl_->options.channels);
}

HttpServer::~HttpServer() = default;

std::optional<Error> HttpServer::bind() {
  auto& o = impl_->options;
  if (!o.ssl_certificate.empty()) {
    impl_->server = std::make_unique<httplib::SSLServer>(o.ssl_certificate.c_str(), o.ssl_keyfile.c_str());
    if (!impl_->server->is_valid())
      return runtime_error("cannot use the TLS certificate " + o.ssl_certificate + " / key " + o.ssl_keyfile);
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  auto& svr = *impl_->server;
  // Nagle's algorithm would hold each response body back ~40 ms (headers and body are two sends).
  svr.set_tcp_nodelay(true);
  // A keep-alive connection holds a worker thread: the pool grows with the connections (up to
  // 4096) and shrinks back to 8 threads once they go idle for 30 s.
  svr.set_keep_alive_max_count(1000);
  svr.new_task_queue = [] { return new WorkerPool(8, 4096, std::chrono::seconds(30)); };
  // SO_REUSEADDR only: the library's default SO_REUSEPORT would let a second server silently share
  // a port that is in use instead of failing to start.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  svr.set_payload_max_length(o.max_body_bytes);
  const auto timeout_s = static_cast<time_t>(o.response_timeout);
  svr.set_read_timeout(timeout_s, 0);
  svr.set_write_timeout(timeout_s, 0);
  Impl* impl = impl_.get();
  svr.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
    request_started = std::chrono::steady_clock::now();
    // A body-carrying request without Content-Length or chunked encoding has an empty body
    // (RFC 9112 §6.3): it is answered here, before the library would wait for the connection to
    // close to read one (`curl -X POST …/predict` sends none).
    bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (has_body_method && !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      impl->dispatch(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) { impl->dispatch(req, res); };
  svr.Get(".*", handler);
  svr.Post(".*", handler);
  svr.Put(".*", handler);
  svr.Delete(".*", handler);
  svr.Patch(".*", handler);
  svr.Options(".*", handler);
  // Errors the library raises itself (413 body too large, 400 bad request line): Rasa's JSON.
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413)
      reply_error(res, {413, "PayloadTooLarge", "Request body exceeds the configured limit", Json::object(), nullptr});
    else
      reply_error(res, {res.status, "BadRequest", "The request could not be read", Json::object(), nullptr});
  });
  if (o.access_log) {
    auto log = o.access_log;
    svr.set_logger([log](const httplib::Request& req, const httplib::Response& res) { log(log_line(req, res)); });
  }
  int port = o.port == 0 ? svr.bind_to_any_port(o.interface.c_str()) : (svr.bind_to_port(o.interface.c_str(), o.port) ? o.port : -1);
  if (port < 0) return runtime_error("cannot listen on " + o.interface + ":" + std::to_string(o.port) + " (is the port in use?)");
  impl_->bound_port = port;
  widen_backlog(port);
  return std::nullopt;
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::run() { impl_->server->listen_after_bind(); }

void HttpServer::stop() {
  if (impl_->server) impl_->server->stop();
}

}  // namespace convo
