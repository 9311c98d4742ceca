// Rasa's HTTP API authentication: ?token= and JWT bearer tokens (spec http-api.md §2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

struct AuthConfig {
  std::optional<std::string> token;       // --auth-token
  std::optional<std::string> jwt_secret;  // --jwt-secret (HMAC secret, or PEM public key for RS*/ES*)
  std::string jwt_method = "HS256";       // --jwt-method; only this algorithm is accepted
  // Rasa turns JWT on only for a non-empty secret and method (`if jwt_secret and jwt_method`).
  bool jwt_enabled() const { return jwt_secret && !jwt_secret->empty() && !jwt_method.empty(); }
  bool enabled() const { return token.has_value() || jwt_enabled(); }
};

struct AuthRequest {
  std::optional<std::string> token_param;      // the `token` query parameter
  std::optional<std::string> authorization;    // the Authorization header
  std::optional<std::string> conversation_id;  // the route's {conversation_id}, when it has one
};

struct AuthDecision {
  bool allowed = false;
  int status = 200;  // 401, 403 or 400 when refused
  Json body;         // Rasa's error JSON (or the JWT library's body for a malformed header)
};

// The JWT algorithms convo signs and verifies: HS256/384/512, RS256/384/512, ES256/384/512.
const std::vector<std::string>& supported_jwt_methods();

// A usage error when JWT is on with a method convo cannot verify (check once, at startup).
std::optional<Error> check_auth_config(const AuthConfig& config);

// Rasa's decision table (§2.5). `version` goes into error bodies; `now` checks `exp`.
AuthDecision authorize(const AuthConfig& config, const AuthRequest& request, const std::string& version,
                       double now);

// A signed JWT with Rasa's claims {"user": {"username", "role"}} and, when given, `exp`.
Result<std::string> mint_jwt(const std::string& secret, const std::string& method, const std::string& username,
                             const std::string& role, std::optional<double> expires_at);

}  // namespace convo
