// convo serve: Rasa 2.8's HTTP API over a tracker store (spec http-api.md §1–§3).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/config/credentials.hpp"
#include "convo/http/auth.hpp"
#include "convo/pipeline/conversations.hpp"
#include "convo/pipeline/models.hpp"

namespace convo {

struct ServerOptions {
  std::string interface = "0.0.0.0";
  int port = 5005;                      // 0: any free port (tests)
  bool enable_api = false;              // --enable-api: everything but GET / and webhooks
  std::vector<std::string> cors;        // allowed origins ("*" for any)
  AuthConfig auth;
  double response_timeout = 3600;       // seconds per request
  std::size_t max_body_bytes = 10u << 20;  // larger bodies get 413
  std::string ssl_certificate, ssl_keyfile;
  std::string store_description;        // for /status
  std::function<Json()> broker_status;  // /status: the event broker and its outbox; null: none
  std::shared_ptr<ModelManager> models;  // the model (PUT/DELETE /model, /status); null: none
  std::string model_dir = "models";      // where PUT /model's model_server pulls to
  std::function<void(const std::string&)> access_log;  // one line per request; null: none
  Credentials channels = default_credentials();          // the input channels mounted
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, std::shared_ptr<Conversations> conversations);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the port; errors name the address (e.g. the port is in use).
  std::optional<Error> bind();
  int port() const;
  // Serves until stop(); in-flight requests finish first.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convo
