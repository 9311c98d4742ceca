// convo serve's options, shared by the option wiring (serve_cmd.cpp) and the two ways of running
// them: the server itself (serve_run.cpp, linked into convo-serve) and, in the convo binary, a hand
// over to convo-serve (serve_exec.cpp), so that commands other than serve never load the server's
// libraries (cpp-httplib, OpenSSL) at start.
#pragma once

#include <string>
#include <vector>

#include "cli.hpp"

namespace convo::cli {

struct ServeOptions {
  int port = 5005;
  std::string interface = "0.0.0.0";
  bool enable_api = false;
  std::vector<std::string> cors;
  std::string auth_token, jwt_secret, jwt_method = "HS256";
  std::string domain_path;
  double response_timeout = 3600;
  std::size_t max_body_mb = 10;
  std::string log_file, log_level = "info";
  std::string ssl_certificate, ssl_keyfile;
  std::string broker_flush = "10s";
  std::string model;        // --model: an archive or a directory of archives
  std::string model_dir;    // where pulled models go (default: --model's directory, else models)
  std::string credentials;  // --credentials: the input channels (default: REST only)
  StoreOptions store;
};

// Runs the server; returns the exit code.
int run_serve(const ServeOptions& opt);

}  // namespace convo::cli
