// convo auth token: a JWT that a Rasa (or convo) server started with --jwt-secret accepts.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "convo/http/auth.hpp"
#include "convo/io/file.hpp"

namespace convo::cli {
namespace {

// Longest --expires accepted: keeps `exp` far inside a 64-bit integer and a double's exact range.
constexpr double kMaxExpirySeconds = 100.0 * 365 * 24 * 3600;

struct TokenOptions {
  std::string secret;
  std::string secret_file;
  std::string method = "HS256";
  std::string username;
  std::string role;
  std::string expires;
  Format format = Format::Auto;
};

// A duration (core's parse_duration); nullopt when it is not one, not positive or beyond 100 years.
std::optional<double> parse_expiry(const std::string& text) {
  auto seconds = parse_duration(text);
  if (!seconds || *seconds <= 0 || *seconds > kMaxExpirySeconds) return std::nullopt;
  return seconds;
}

bool is_hmac(const std::string& method) { return method.rfind("HS", 0) == 0; }

// The signing key: --secret-file, else --secret, else $CONVO_JWT_SECRET.
Result<std::string> signing_secret(const TokenOptions& opt) {
  if (!opt.secret_file.empty()) {
    auto text = read_text_file(opt.secret_file);
    if (!text) return text.error();
    std::string secret = std::move(*text);
    // `echo secret > file` adds a newline that is not part of an HMAC secret; PEM keeps its own.
    if (is_hmac(opt.method)) {
      if (!secret.empty() && secret.back() == '\n') secret.pop_back();
      if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    }
    if (secret.empty()) return usage_error("the secret file '" + opt.secret_file + "' is empty");
    return secret;
  }
  if (!opt.secret.empty()) return opt.secret;
  if (const char* env = std::getenv("CONVO_JWT_SECRET"); env && *env) return std::string(env);
  return usage_error(is_hmac(opt.method)
                         ? "give the signing secret with --secret, --secret-file or CONVO_JWT_SECRET"
                         : opt.method + " signs with a private key: give --secret-file PRIVATE_KEY.pem");
}

int run_token(const TokenOptions& opt) {
  auto secret = signing_secret(opt);
  if (!secret) return report(secret.error());
  if (!is_hmac(opt.method) && secret->find("-----BEGIN") == std::string::npos)
    return report(usage_error(opt.method + " needs a PEM private key as the secret (use --secret-file)"));
  std::optional<double> expires_at;
  if (!opt.expires.empty()) {
    auto seconds = parse_expiry(opt.expires);
    if (!seconds) return report(usage_error("--expires: '" + opt.expires + "' is not a duration like 30s, 15m, 1h, 2d"));
    double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    expires_at = now + *seconds;
  }
  auto token = mint_jwt(*secret, opt.method, opt.username, opt.role, expires_at);
  if (!token) return report(token.error());
  // Unlike listings, the default is the bare token, so `$(convo auth token ...)` works in scripts.
  if (opt.format == Format::Json)
    std::cout << dump_compact(Json{{"token", *token}}) << "\n";
  else
    std::cout << *token << "\n";
  std::cout.flush();
  return std::cout.good() ? kOk : report(runtime_error("writing the output failed"));
}

}  // namespace

void setup_auth(CLI::App& app, int& exit_code) {
  CLI::App* auth = app.add_subcommand("auth", "Make credentials for the HTTP API's authentication");
  auth->require_subcommand(1);
  auth->footer(kExitCodeHelp);

  auto opt = std::make_shared<TokenOptions>();
  CLI::App* token = auth->add_subcommand(
      "token", "Print a JWT with Rasa's claims {\"user\": {\"username\", \"role\"}} for --jwt-secret servers");
  token->footer(std::string(
      "Roles (as Rasa checks them): admin may call every protected route; user may only call\n"
      "routes of the conversation whose id equals --username.\n\n"
      "Examples:\n"
      "  convo auth token --secret mysecret --username alice --role user --expires 1h\n"
      "  CONVO_JWT_SECRET=mysecret convo auth token --username ops --role admin\n"
      "  convo auth token --method RS256 --secret-file private.pem --username ops --role admin\n"
      "  curl -H \"Authorization: Bearer $(convo auth token --secret s --username alice --role user)\" \\\n"
      "       http://localhost:5005/conversations/alice/tracker\n\n") +
      kExitCodeHelp);
  auto* secret = token->add_option("--secret", opt->secret,
                                   "HMAC secret (the server's --jwt-secret); default $CONVO_JWT_SECRET")
                     ->type_name("SECRET");
  token->add_option("--secret-file", opt->secret_file,
                    "Read the secret from FILE (- for stdin): the PEM private key for RS*/ES*, or an HMAC "
                    "secret (one trailing newline dropped)")
      ->type_name("FILE")
      ->excludes(secret);
  std::string methods;
  for (const auto& m : supported_jwt_methods()) methods += (methods.empty() ? "" : "|") + m;
  token->add_option("--method", opt->method, "Signature algorithm; must match the server's --jwt-method")
      ->check(CLI::IsMember(supported_jwt_methods()).description(""))
      ->type_name(methods)
      ->capture_default_str();
  token->add_option("--username", opt->username, "user.username: for role user, the conversation id")
      ->required()
      ->type_name("NAME");
  token->add_option("--role", opt->role, "user.role")
      ->required()
      ->check(CLI::IsMember({"admin", "user"}).description(""))
      ->type_name("admin|user");
  token->add_option("--expires", opt->expires, "Lifetime: 30s, 15m, 1h, 2d or seconds; default: no expiry")
      ->check(CLI::Validator(
          [](std::string& v) { return parse_expiry(v) ? std::string() : "must be a duration like 30s, 15m, 1h, 2d"; },
          "", "duration"))
      ->type_name("DURATION");
  add_format_option(*token, opt->format);
  token->get_option("--output")
      ->description("Output format: json prints {\"token\": ...}; table (default) prints the bare token");
  token->callback([opt, &exit_code] { exit_code = run_token(*opt); });
}

}  // namespace convo::cli
