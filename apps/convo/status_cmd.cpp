// convo status --url U [--wait 30s]: is the server up and its store ready? The first line of every
// CI smoke test: exits 0 once ready, 5 when it never became ready, 4 when the credentials are refused.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli.hpp"

namespace convo::cli {
namespace {

struct StatusOptions {
  std::string wait = "0";
  Format format = Format::Auto;
  StoreOptions server;
};

// Ready: 200 from /status, and convo's own readiness report (when the server has one) says so.
bool ready(const HttpResponse& response, Json& body) {
  try {
    body = Json::parse(response.body);
  } catch (...) {
    body = Json();
  }
  if (response.status != 200) return false;
  if (body.is_object() && body.contains("convo") && body["convo"].is_object())
    return body["convo"].value("ready", Json()) == true;
  return true;
}

int run_status(const StatusOptions& opt) {
  auto wait = duration_option("--wait", opt.wait);
  if (!wait) return report(wait.error());
  ClientOptions client = client_options(opt.server);
  if (client.base_url.empty()) return report(usage_error("give the server with --url (or $CONVO_URL)"));
  client.retries = 0;
  client.timeout_s = std::min(opt.server.timeout, std::max(*wait, 1.0));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(*wait);
  Json body;
  Error last{ErrorKind::Upstream, client.base_url + ": not ready"};
  for (;;) {
    auto response = http_request(client, "GET", "/status");
    if (response) {
      if (ready(*response, body)) break;
      last = response->status == 200 ? Error{ErrorKind::Upstream, client.base_url + ": the server reports it is not ready"}
                                     : error_from_response(*response, "GET " + client.base_url + "/status");
      if (last.kind == ErrorKind::Auth) return report(last);  // waiting will not fix credentials
    } else {
      last = response.error();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (*wait > 0) last.message += fmt::format(" (waited {}s)", *wait);
      return report(last);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (want_json(opt.format)) {
    std::cout << dump_compact(body) << "\n";
  } else {
    std::cout << "ready: " << client.base_url;
    if (body.is_object() && body.contains("convo")) std::cout << " (store " << string_or(body["convo"]["store"], "url", "?") << ")";
    std::cout << "\n";
  }
  return kOk;
}

}  // namespace

void setup_status(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand("status", "Check that a server is up and ready (GET /status), waiting if asked");
  set_examples(*cmd, {"convo status --url http://localhost:5005 --wait 30s",
      "convo status --url http://rasa:5005 --token s3cret -o json"});
  cmd->add_option("--wait", opt->wait, "Keep trying this long (30s, 2m, 500ms); default: one try")->type_name("DURATION");
  add_format_option(*cmd, opt->format);
  add_server_options(*cmd, opt->server);
  cmd->callback([opt, &exit_code] { exit_code = run_status(*opt); });
}

}  // namespace convo::cli
