// Rasa 2.8's `requires_auth` (rasa/server.py) over sanic-jwt 1.6 and PyJWT 2.0, rebuilt on libjwt.
// Where Rasa fails with a 500 on a bad token (unexpected alg, non-object `user`, "Bearer "), convo
// answers 401/403 instead, as the spec asks.
#include "convo/http/auth.hpp"

#include "jwt_api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "convo/http/rasa_error.hpp"

namespace convo {
namespace {

// PyJWT's default leeway in sanic-jwt 1.6 (`leeway = 60 * 3`).
constexpr double kLeewaySeconds = 180;

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct CStrDeleter {
  void operator()(char* s) const { std::free(s); }
};
using CStr = std::unique_ptr<char, CStrDeleter>;

AuthDecision allow() { return AuthDecision{true, 200, Json()}; }

AuthDecision refuse(int code, const char* reason, const char* message, const std::string& version) {
  HttpError error;
  error.code = code;
  error.reason = reason;
  error.message = message;
  error.help = kDocsSecurityUrl;
  Json body = rasa_error_json(error);
  body["version"] = version;
  return AuthDecision{false, code, std::move(body)};
}

AuthDecision not_authenticated(const std::string& version) {
  return refuse(401, "NotAuthenticated", "User is not authenticated.", version);
}

AuthDecision not_authorized(const std::string& version) {
  return refuse(403, "NotAuthorized", "User has insufficient permissions.", version);
}

// sanic-jwt's own error body, which Rasa lets through unchanged.
AuthDecision invalid_header() {
  Json body = Json::object();
  body["reasons"] = Json::array({"Authorization header is invalid."});
  body["exception"] = "InvalidAuthorizationHeader";
  return AuthDecision{false, 400, std::move(body)};
}

// Unpadded base64url, as JWT segments are written; nullopt on any other character.
std::optional<std::string> base64url_decode(const std::string& in) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else if (c == '=') break;  // padding: PyJWT accepts it
    else return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// PyJWT compares the header's `alg` to the allowed list case-sensitively; libjwt matches names
// ignoring case, so the exact check happens here, before any signature work.
bool header_alg_is(const std::string& token, const std::string& method) {
  std::size_t dot = token.find('.');
  if (dot == std::string::npos) return false;
  auto text = base64url_decode(token.substr(0, dot));
  if (!text) return false;
  Json header = Json::parse(*text, nullptr, false);
  if (header.is_discarded() || !header.is_object()) return false;
  auto alg = header.find("alg");
  return alg != header.end() && alg->is_string() && alg->get<std::string>() == method;
}

// Python's int() of a claim value, as PyJWT applies it to exp/nbf/iat; nullopt where it raises.
std::optional<double> python_int(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<double>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    return std::trunc(d);
  }
  if (!v.is_string()) return std::nullopt;
  // int("  -17 "), int("1_000"): surrounding blanks, a sign, digits with single underscores.
  const std::string& s = v.get_ref<const std::string&>();
  std::size_t i = 0, end = s.size();
  while (i < end && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  while (end > i && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  bool negative = false;
  if (i < end && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == end) return std::nullopt;
  double value = 0;
  bool last_digit = false;
  for (; i < end; ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      last_digit = true;
    } else if (c == '_' && last_digit && i + 1 < end) {
      last_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!last_digit) return std::nullopt;
  return negative ? -value : value;
}

// PyJWT 2.0's claim checks: iat only has to be an integer, nbf/exp are compared with whole
// seconds, an `aud` in the token is refused because Rasa configures no audience.
bool registered_claims_ok(const Json& claims, double now) {
  const double whole_now = std::floor(now);
  if (auto it = claims.find("iat"); it != claims.end() && !python_int(*it)) return false;
  if (auto it = claims.find("nbf"); it != claims.end()) {
    auto nbf = python_int(*it);
    if (!nbf || *nbf > whole_now + kLeewaySeconds) return false;
  }
  if (auto it = claims.find("exp"); it != claims.end()) {
    auto exp = python_int(*it);
    if (!exp || *exp < whole_now - kLeewaySeconds) return false;
  }
  if (auto it = claims.find("aud"); it != claims.end() && py_truthy(*it)) return false;
  return true;
}

// The verified claims of `token`, or nullopt for anything PyJWT would not accept.
std::optional<Json> verified_claims(const std::string& token, const std::string& secret,
                                    const std::string& method, double now) {
  if (!header_alg_is(token, method)) return std::nullopt;
  jwt_alg_t wanted = jwt_str_alg(method.c_str());
  if (wanted == JWT_ALG_INVAL || wanted == JWT_ALG_NONE) return std::nullopt;
  jwt_t* raw = nullptr;
  // An empty key would make libjwt skip verification; jwt_enabled() already excludes it.
  if (secret.empty()) return std::nullopt;
  int rc = jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                      static_cast<int>(secret.size()));
  JwtPtr decoded(raw);
  if (rc != 0 || !decoded) return std::nullopt;
  // Enforce the configured algorithm again on what libjwt actually verified.
  if (jwt_get_alg(decoded.get()) != wanted) return std::nullopt;
  CStr grants(jwt_get_grants_json(decoded.get(), nullptr));
  if (!grants) return std::nullopt;
  Json claims = Json::parse(grants.get(), nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
  if (!registered_claims_ok(claims, now)) return std::nullopt;
  return claims;
}

// Rasa's `sufficient_scope`: admin may do anything; a user only acts on its own conversation.
bool sufficient_scope(const Json& claims, const std::optional<std::string>& conversation_id) {
  auto user = claims.find("user");
  if (user == claims.end() || !user->is_object()) return false;
  auto role = user->find("role");
  if (role == user->end() || !role->is_string()) return false;
  const std::string& r = role->get_ref<const std::string&>();
  if (r == "admin") return true;
  if (r != "user" || !conversation_id) return false;
  auto username = user->find("username");
  return username != user->end() && username->is_string() &&
         username->get_ref<const std::string&>() == *conversation_id;
}

bool is_asymmetric(const std::string& method) { return method[0] == 'R' || method[0] == 'E'; }

}  // namespace

const std::vector<std::string>& supported_jwt_methods() {
  static const std::vector<std::string> methods = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                                   "RS512", "ES256", "ES384", "ES512"};
  return methods;
}

std::optional<Error> check_auth_config(const AuthConfig& config) {
  if (!config.jwt_enabled()) return std::nullopt;
  const auto& methods = supported_jwt_methods();
  if (std::find(methods.begin(), methods.end(), config.jwt_method) != methods.end()) return std::nullopt;
  std::string list;
  for (const auto& m : methods) list += (list.empty() ? "" : ", ") + m;
  return usage_error("unsupported JWT method '" + config.jwt_method + "' (supported: " + list + ")");
}

AuthDecision authorize(const AuthConfig& config, const AuthRequest& request, const std::string& version,
                       double now) {
  const bool jwt_on = config.jwt_enabled();
  if (!config.token && !jwt_on) return allow();
  // The token wins before any header is looked at, even a malformed one.
  if (config.token && request.token_param && *request.token_param == *config.token) return allow();
  if (!jwt_on || !request.authorization) return not_authenticated(version);

  // sanic-jwt: `prefix, token = header.split(" ")` must give exactly two parts.
  const std::string& header = *request.authorization;
  std::size_t space = header.find(' ');
  if (space == std::string::npos || header.find(' ', space + 1) != std::string::npos ||
      header.compare(0, space, "Bearer") != 0)
    return invalid_header();
  std::string token = header.substr(space + 1);
  if (token.empty()) return not_authenticated(version);  // sanic-jwt: a missing token

  auto claims = verified_claims(token, *config.jwt_secret, config.jwt_method, now);
  if (!claims) return not_authenticated(version);
  return sufficient_scope(*claims, request.conversation_id) ? allow() : not_authorized(version);
}

Result<std::string> mint_jwt(const std::string& secret, const std::string& method, const std::string& username,
                             const std::string& role, std::optional<double> expires_at) {
  const auto& methods = supported_jwt_methods();
  if (std::find(methods.begin(), methods.end(), method) == methods.end())
    return usage_error("unsupported JWT method '" + method + "'");
  if (secret.empty()) return usage_error("the JWT secret is empty");
  if (expires_at && !std::isfinite(*expires_at)) return usage_error("the expiry time is not a number");

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return runtime_error("could not create a JWT");
  JwtPtr token(raw);
  Json claims = {{"user", {{"username", username}, {"role", role}}}};
  std::string claims_text;
  try {
    claims_text = claims.dump();
  } catch (const Json::type_error&) {  // bytes from the command line need not be UTF-8
    return usage_error("the username and role must be UTF-8 text");
  }
  if (jwt_add_grants_json(token.get(), claims_text.c_str()) != 0)
    return runtime_error("could not add the JWT claims");
  if (expires_at && jwt_add_grant_int(token.get(), "exp", static_cast<long>(std::floor(*expires_at))) != 0)
    return runtime_error("could not add the JWT expiry");
  if (jwt_set_alg(token.get(), jwt_str_alg(method.c_str()), reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0)
    return runtime_error("could not set up " + method + " signing");
  CStr text(jwt_encode_str(token.get()));
  if (!text) {
    return runtime_error(is_asymmetric(method)
                             ? "signing with " + method + " failed: the secret must be a PEM private key of the right type"
                             : "signing with " + method + " failed");
  }
  return std::string(text.get());
}

}  // namespace convo
