// convo serve's options (the server runs in serve_run.cpp, or in convo-serve: serve_exec.cpp).
#include "serve_options.hpp"

namespace convo::cli {

void setup_serve(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run a Rasa-compatible HTTP server over a tracker store");
  set_examples(*cmd, {"convo serve --enable-api",
      "convo serve --enable-api --auth-token s3cret --store sqlite:///rasa.db --port 5005",
      "convo serve --enable-api --jwt-secret \"$JWT_SECRET\" --endpoints endpoints.yml --domain domain.yml",
      "convo serve --enable-api --model models/   # newest archive; PUT /model swaps it live",
      "curl localhost:5005/conversations/alice/tracker?token=s3cret"});
  cmd->add_option("-p,--port", opt->port, "Port to listen on")->capture_default_str()->check(CLI::Range(1, 65535))->type_name("PORT");
  cmd->add_option("-i,--interface", opt->interface, "Address to listen on")->capture_default_str()->type_name("ADDR");
  cmd->add_flag("--enable-api", opt->enable_api, "Serve the HTTP API (otherwise only GET / and webhooks)");
  cmd->add_option("--cors", opt->cors, "Allowed CORS origins (\"*\" for any)")->type_name("ORIGIN...");
  cmd->add_option("-t,--auth-token", opt->auth_token, "Require ?token=TOKEN on protected routes")->type_name("TOKEN");
  cmd->add_option("--jwt-secret", opt->jwt_secret, "Accept JWTs signed with this secret (public key for RS*/ES*)")
      ->type_name("SECRET");
  cmd->add_option("--jwt-method", opt->jwt_method, "JWT signature algorithm")->capture_default_str()->type_name("ALG");
  cmd->add_option("--domain", opt->domain_path, "domain.yml: slots, responses and session settings")->type_name("FILE");
  cmd->add_option("--response-timeout", opt->response_timeout, "Seconds a request may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  cmd->add_option("--max-body-mb", opt->max_body_mb, "Larger request bodies are refused with 413")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->type_name("MB");
  cmd->add_option("--log-file", opt->log_file, "Write logs (one access line per request) here instead of stderr")
      ->type_name("FILE");
  cmd->add_option("--log-level", opt->log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}).description(""))
      ->type_name("trace|debug|info|warn|error|off");
  cmd->add_option("--ssl-certificate", opt->ssl_certificate, "Serve HTTPS with this certificate (PEM)")->type_name("FILE");
  cmd->add_option("--ssl-keyfile", opt->ssl_keyfile, "The certificate's private key (PEM)")->type_name("FILE");
  cmd->add_option("-m,--model", opt->model,
                  "Model archive to run, or a directory whose newest *.tar.gz is used (its domain replaces --domain)")
      ->type_name("PATH");
  cmd->add_option("--model-dir", opt->model_dir,
                  "Where models pulled from endpoints.yml's models: server or PUT /model go "
                  "(default: --model when it is a directory, else models)")
      ->type_name("DIR");
  cmd->add_option("--broker-flush-timeout", opt->broker_flush,
                  "On shutdown, wait this long for the event broker to confirm what the outbox holds")
      ->capture_default_str()
      ->type_name("DURATION");
  cmd->add_option("--credentials", opt->credentials,
                  "credentials.yml: the input channels to mount (rest, callback, custom connectors); default: REST only")
      ->type_name("FILE");
  add_store_options(*cmd, opt->store);
  cmd->callback([opt, &exit_code] { exit_code = run_serve(*opt); });
}

}  // namespace convo::cli
