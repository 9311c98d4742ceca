// Authentication of the Rasa-compatible HTTP API (http-api.md §2, error bodies §1.3). Expected
// results follow the spec's decision table; interoperability is checked against PyJWT and keys
// made by the openssl command line at test time.
#include "convo/http/auth.hpp"

#include <jwt.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convo/http/rasa_error.hpp"

using convo::AuthConfig;
using convo::AuthDecision;
using convo::AuthRequest;
using convo::Json;

namespace {

constexpr double kNow = 1700000000.25;
const char* const kVersion = "2.8.12";
const char* const kSecret = "s3cret";

// Signs arbitrary claims with libjwt, for tokens mint_jwt cannot make (no user, odd claims).
std::string sign(const Json& claims, const std::string& alg, const std::string& key) {
  jwt_t* j = nullptr;
  REQUIRE(jwt_new(&j) == 0);
  REQUIRE(jwt_add_grants_json(j, claims.dump().c_str()) == 0);
  REQUIRE(jwt_set_alg(j, jwt_str_alg(alg.c_str()), reinterpret_cast<const unsigned char*>(key.data()),
                      static_cast<int>(key.size())) == 0);
  char* out = jwt_encode_str(j);
  jwt_free(j);
  REQUIRE(out != nullptr);
  std::string token(out);
  free(out);
  return token;
}

Json admin_claims() { return {{"user", {{"username", "root"}, {"role", "admin"}}}}; }
Json user_claims(const std::string& name) { return {{"user", {{"username", name}, {"role", "user"}}}}; }

AuthConfig token_config() { return AuthConfig{std::string("tok"), std::nullopt, "HS256"}; }
AuthConfig jwt_config(const std::string& method = "HS256", const std::string& key = kSecret) {
  return AuthConfig{std::nullopt, key, method};
}
AuthConfig both_config() { return AuthConfig{std::string("tok"), std::string(kSecret), "HS256"}; }

AuthRequest bearer(const std::string& token, std::optional<std::string> conversation = std::nullopt) {
  return AuthRequest{std::nullopt, "Bearer " + token, std::move(conversation)};
}

AuthDecision check(const AuthConfig& config, const AuthRequest& request, double now = kNow) {
  return convo::authorize(config, request, kVersion, now);
}

void require_allowed(const AuthDecision& d) {
  CHECK(d.allowed);
  CHECK(d.status == 200);
}

void require_status(const AuthDecision& d, int status) {
  CHECK_FALSE(d.allowed);
  CHECK(d.status == status);
  if (status == 401) CHECK(d.body.at("reason") == "NotAuthenticated");
  if (status == 403) CHECK(d.body.at("reason") == "NotAuthorized");
  if (status == 400) CHECK(d.body.at("exception") == "InvalidAuthorizationHeader");
}

std::string b64url(const std::string& in) {
  static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) out.push_back(alphabet[(buffer >> (bits -= 6)) & 63]);
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

// Runs a shell command; its stdout without the trailing newline, or nullopt when it fails
// (stderr is dropped: some commands are expected to fail).
std::optional<std::string> run(const std::string& command) {
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  if (pclose(pipe) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A Python that has PyJWT (the pyenv shim on PATH may lack the distribution's module).
const std::optional<std::string>& python_with_jwt() {
  static const std::optional<std::string> python = []() -> std::optional<std::string> {
    for (const char* candidate : {"python3", "/usr/bin/python3"}) {
      std::string cmd = std::string(candidate) + " -c 'import jwt' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return std::string(candidate);
    }
    return std::nullopt;
  }();
  return python;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RSA and EC key pairs made once by the openssl command line in a temporary directory.
struct TestKeys {
  std::filesystem::path dir;
  std::string rsa_private, rsa_public, ec_private, ec_public;
  ~TestKeys() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

const TestKeys& keys() {
  static TestKeys k;
  if (!k.dir.empty()) return k;
  char tmpl[] = "/tmp/convo_auth_test_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  k.dir = tmpl;
  const std::string d = k.dir.string();
  std::string cmd = "cd '" + d + "' && openssl genrsa -out rsa.pem 2048 2>/dev/null"
                    " && openssl rsa -in rsa.pem -pubout -out rsa.pub 2>/dev/null"
                    " && openssl ecparam -name prime256v1 -genkey -noout -out ec.pem 2>/dev/null"
                    " && openssl ec -in ec.pem -pubout -out ec.pub 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  k.rsa_private = slurp(k.dir / "rsa.pem");
  k.rsa_public = slurp(k.dir / "rsa.pub");
  k.ec_private = slurp(k.dir / "ec.pem");
  k.ec_public = slurp(k.dir / "ec.pub");
  REQUIRE(k.rsa_public.find("BEGIN PUBLIC KEY") != std::string::npos);
  REQUIRE(k.ec_public.find("BEGIN PUBLIC KEY") != std::string::npos);
  return k;
}

}  // namespace

TEST_CASE("auth disabled admits everything and ignores credentials", "[auth]") {
  AuthConfig off;
  CHECK_FALSE(off.enabled());
  require_allowed(check(off, AuthRequest{}));
  require_allowed(check(off, AuthRequest{std::string("wrong"), std::string("Token abc"), std::nullopt}));
  // Rasa enables JWT only for a non-empty secret.
  AuthConfig empty_secret{std::nullopt, std::string(""), "HS256"};
  CHECK_FALSE(empty_secret.enabled());
  require_allowed(check(empty_secret, bearer("garbage")));
}

TEST_CASE("token auth: only the token query parameter, exact equality", "[auth]") {
  AuthConfig config = token_config();
  require_allowed(check(config, AuthRequest{std::string("tok"), std::nullopt, std::nullopt}));
  require_status(check(config, AuthRequest{}), 401);
  require_status(check(config, AuthRequest{std::string("wrong"), std::nullopt, std::nullopt}), 401);
  require_status(check(config, AuthRequest{std::string("TOK"), std::nullopt, std::nullopt}), 401);
  require_status(check(config, AuthRequest{std::string("tok "), std::nullopt, std::nullopt}), 401);
  // No header form of the token, and JWT headers mean nothing while JWT is off.
  require_status(check(config, AuthRequest{std::nullopt, std::string("Bearer tok"), std::nullopt}), 401);
  require_status(check(config, bearer(sign(admin_claims(), "HS256", kSecret))), 401);
  require_status(check(config, AuthRequest{std::nullopt, std::string("Token abc"), std::nullopt}), 401);
  // An empty configured token is still a token: `?token=` matches it.
  AuthConfig empty{std::string(""), std::nullopt, "HS256"};
  CHECK(empty.enabled());
  require_allowed(check(empty, AuthRequest{std::string(""), std::nullopt, std::nullopt}));
  require_status(check(empty, AuthRequest{}), 401);
}

TEST_CASE("token and JWT together: a correct token is checked first", "[auth]") {
  AuthConfig config = both_config();
  const std::string expired = sign({{"user", {{"role", "admin"}}}, {"exp", kNow - 1000}}, "HS256", kSecret);
  for (const std::string& header : {std::string("Token abc"), std::string("Bearer"), "Bearer " + expired})
    require_allowed(check(config, AuthRequest{std::string("tok"), header, std::nullopt}));
  require_allowed(check(config, AuthRequest{std::string("wrong"), "Bearer " + sign(admin_claims(), "HS256", kSecret),
                                            std::nullopt}));
  require_status(check(config, AuthRequest{std::string("wrong"), std::nullopt, std::nullopt}), 401);
  require_status(check(config, AuthRequest{std::string("wrong"), std::string("Token abc"), std::nullopt}), 400);
  require_status(check(config, AuthRequest{std::string("wrong"), "Bearer " + expired, std::nullopt}), 401);
  require_status(check(config, AuthRequest{std::nullopt, "Bearer " + sign(user_claims("bob"), "HS256", kSecret),
                                           std::string("alice")}),
                 403);
}

TEST_CASE("JWT roles decide access", "[auth]") {
  AuthConfig config = jwt_config();
  const std::string admin = sign(admin_claims(), "HS256", kSecret);
  require_allowed(check(config, bearer(admin)));
  require_allowed(check(config, bearer(admin, "anyone")));

  const std::string alice = sign(user_claims("alice"), "HS256", kSecret);
  require_allowed(check(config, bearer(alice, "alice")));
  require_status(check(config, bearer(alice, "bob")), 403);
  require_status(check(config, bearer(alice, "Alice")), 403);
  require_status(check(config, bearer(alice)), 403);  // route without a conversation id

  for (const Json& claims : {Json{{"sub", "x"}}, Json{{"user", {{"username", "alice"}}}},
                             Json{{"user", {{"username", "alice"}, {"role", "Admin"}}}},
                             Json{{"user", {{"username", "alice"}, {"role", "superuser"}}}},
                             Json{{"user", "admin"}}, Json{{"user", nullptr}},
                             Json{{"user", {{"username", 7}, {"role", "user"}}}},
                             Json{{"username", "alice"}, {"role", "admin"}}}) {
    INFO(claims.dump());
    require_status(check(config, bearer(sign(claims, "HS256", kSecret), "alice")), 403);
  }
  require_status(check(config, bearer(sign(Json{{"user", {{"username", 7}, {"role", "user"}}}}, "HS256", kSecret),
                                      "7")),
                 403);
}

TEST_CASE("JWT expiry and time claims use PyJWT 2.0's rules with 180 s leeway", "[auth]") {
  AuthConfig config = jwt_config();
  auto with = [](const char* claim, Json value) {
    Json claims = admin_claims();
    claims[claim] = std::move(value);
    return bearer(sign(claims, "HS256", kSecret));
  };
  const double whole = 1700000000;  // kNow truncated, as PyJWT's clock is
  require_allowed(check(config, with("exp", whole + 3600)));
  require_allowed(check(config, with("exp", whole - 179)));
  require_allowed(check(config, with("exp", whole - 180)));
  require_status(check(config, with("exp", whole - 181)), 401);
  require_status(check(config, with("exp", whole - 86400)), 401);
  require_allowed(check(config, with("exp", std::to_string(static_cast<long>(whole) + 60))));
  require_status(check(config, with("exp", "soon")), 401);
  require_status(check(config, with("exp", Json::array())), 401);
  require_status(check(config, with("exp", nullptr)), 401);

  require_allowed(check(config, with("nbf", whole + 180)));
  require_status(check(config, with("nbf", whole + 181)), 401);
  require_allowed(check(config, with("iat", whole + 100000)));  // PyJWT 2.0 only checks the type
  require_status(check(config, with("iat", "yesterday")), 401);

  // No audience is configured, so a token naming one is refused (PyJWT InvalidAudienceError).
  require_status(check(config, with("aud", "rasa")), 401);
  require_allowed(check(config, with("aud", "")));
}

TEST_CASE("JWT signatures and algorithms", "[auth]") {
  AuthConfig config = jwt_config();
  require_status(check(config, bearer(sign(admin_claims(), "HS256", "other-secret"))), 401);
  // Only the configured algorithm is accepted, even with the right secret.
  require_status(check(config, bearer(sign(admin_claims(), "HS512", kSecret))), 401);
  require_status(check(config, bearer(sign(admin_claims(), "HS384", kSecret))), 401);
  require_allowed(check(jwt_config("HS512"), bearer(sign(admin_claims(), "HS512", kSecret))));

  const std::string payload = b64url(admin_claims().dump());
  require_status(check(config, bearer("eyJhbGciOiJub25lIn0." + payload + ".")), 401);
  require_status(check(config, bearer(b64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".")), 401);
  // A signature taken from a valid token does not carry over to another payload.
  const std::string good = sign(user_claims("alice"), "HS256", kSecret);
  const std::string forged = good.substr(0, good.find('.')) + "." + payload + good.substr(good.rfind('.'));
  require_status(check(config, bearer(forged)), 401);

  for (const char* junk : {"abc", "a.b.c", "a.b", "...", "eyJhbGciOiJIUzI1NiJ9.e30"})
    require_status(check(config, bearer(junk)), 401);
  require_status(check(config, AuthRequest{std::nullopt, std::string("Bearer "), std::nullopt}), 401);
}

TEST_CASE("malformed Authorization headers get the JWT library's 400 body", "[auth]") {
  AuthConfig config = jwt_config();
  const std::string admin = sign(admin_claims(), "HS256", kSecret);
  for (const std::string& header : {std::string("Token abc"), std::string("Bearer"), std::string("Bearer a b"),
                                    std::string("bearer ") + admin, std::string("BEARER ") + admin,
                                    std::string("Bearer  ") + admin, std::string(" Bearer ") + admin,
                                    std::string("JWT ") + admin, std::string(""), admin}) {
    INFO("header: '" << header << "'");
    AuthDecision d = check(config, AuthRequest{std::nullopt, header, std::nullopt});
    require_status(d, 400);
    CHECK(d.body.dump() == R"({"reasons":["Authorization header is invalid."],"exception":"InvalidAuthorizationHeader"})");
  }
}

TEST_CASE("401 and 403 bodies are Rasa's error JSON", "[auth]") {
  AuthDecision unauthenticated = check(jwt_config(), AuthRequest{});
  REQUIRE(unauthenticated.status == 401);
  CHECK(unauthenticated.body.dump() ==
        std::string(R"({"version":"2.8.12","status":"failure","message":"User is not authenticated.",)") +
            R"("reason":"NotAuthenticated","details":{},"help":")" + convo::kDocsSecurityUrl + R"(","code":401})");

  AuthDecision forbidden = check(jwt_config(), bearer(sign(user_claims("a"), "HS256", kSecret), "b"));
  REQUIRE(forbidden.status == 403);
  CHECK(forbidden.body.dump() ==
        std::string(R"({"version":"2.8.12","status":"failure","message":"User has insufficient permissions.",)") +
            R"("reason":"NotAuthorized","details":{},"help":")" + convo::kDocsSecurityUrl + R"(","code":403})");

  AuthDecision other = convo::authorize(token_config(), AuthRequest{}, "9.9.9", kNow);
  CHECK(other.body.at("version") == "9.9.9");
}

TEST_CASE("mint_jwt signs Rasa's claims", "[auth]") {
  auto token = convo::mint_jwt(kSecret, "HS256", "alice", "user", kNow + 60);
  REQUIRE(token.ok());
  require_allowed(check(jwt_config(), bearer(*token, "alice")));
  require_status(check(jwt_config(), bearer(*token, "bob")), 403);
  require_status(check(jwt_config(), bearer(*token, "alice"), kNow + 60 + 181), 401);

  auto forever = convo::mint_jwt(kSecret, "HS384", "root", "admin", std::nullopt);
  REQUIRE(forever.ok());
  require_allowed(check(jwt_config("HS384"), bearer(*forever), 4e9));

  CHECK(convo::mint_jwt(kSecret, "none", "a", "admin", std::nullopt).error().kind == convo::ErrorKind::Usage);
  CHECK(convo::mint_jwt(kSecret, "PS256", "a", "admin", std::nullopt).error().kind == convo::ErrorKind::Usage);
  CHECK(convo::mint_jwt("", "HS256", "a", "admin", std::nullopt).error().kind == convo::ErrorKind::Usage);
  CHECK_FALSE(convo::mint_jwt("not a pem", "RS256", "a", "admin", std::nullopt).ok());
  CHECK(convo::mint_jwt(kSecret, "HS256", "\xff", "admin", std::nullopt).error().kind == convo::ErrorKind::Usage);
}

TEST_CASE("check_auth_config refuses methods convo cannot verify", "[auth]") {
  CHECK_FALSE(convo::check_auth_config(jwt_config("RS512")));
  CHECK_FALSE(convo::check_auth_config(AuthConfig{}));
  auto err = convo::check_auth_config(jwt_config("PS256"));
  REQUIRE(err);
  CHECK(err->kind == convo::ErrorKind::Usage);
  CHECK(convo::check_auth_config(jwt_config("hs256")));
}

TEST_CASE("RS256 and ES256 with keys made by openssl", "[auth]") {
  const TestKeys& k = keys();
  auto rs = convo::mint_jwt(k.rsa_private, "RS256", "alice", "user", std::nullopt);
  REQUIRE(rs.ok());
  require_allowed(check(jwt_config("RS256", k.rsa_public), bearer(*rs, "alice")));
  require_status(check(jwt_config("RS256", k.rsa_public), bearer(*rs, "bob")), 403);
  require_status(check(jwt_config("RS512", k.rsa_public), bearer(*rs, "alice")), 401);
  require_status(check(jwt_config("RS256", k.ec_public), bearer(*rs, "alice")), 401);
  // The public key used as an HMAC secret must not pass for RS256 (algorithm confusion).
  require_status(check(jwt_config("RS256", k.rsa_public), bearer(sign(admin_claims(), "HS256", k.rsa_public))), 401);

  auto es = convo::mint_jwt(k.ec_private, "ES256", "root", "admin", std::nullopt);
  REQUIRE(es.ok());
  require_allowed(check(jwt_config("ES256", k.ec_public), bearer(*es)));
  require_status(check(jwt_config("ES256", k.rsa_public), bearer(*es)), 401);
  require_status(check(jwt_config("HS256", k.ec_public), bearer(*es)), 401);
}

TEST_CASE("tokens interoperate with PyJWT", "[auth][python]") {
  const auto& python = python_with_jwt();
  if (!python) {
    WARN("no python3 with PyJWT; interoperability not checked");
    return;
  }
  const TestKeys& k = keys();
  const std::string dir = k.dir.string();

  SECTION("PyJWT tokens are accepted") {
    auto admin = run(*python + " -c \"import jwt; print(jwt.encode({'user': {'username': 'x', 'role': 'admin'}}, "
                               "'s3cret', algorithm='HS256'))\"");
    REQUIRE(admin);
    require_allowed(check(jwt_config(), bearer(*admin, "anyone")));
    auto user = run(*python + " -c \"import jwt, time; print(jwt.encode({'user': {'username': 'alice', 'role': "
                              "'user'}, 'exp': int(time.time()) + 600}, 's3cret', algorithm='HS256'))\"");
    REQUIRE(user);
    require_allowed(check(jwt_config(), bearer(*user, "alice")));
    require_status(check(jwt_config(), bearer(*user, "bob")), 403);
    auto rs = run(*python + " -c \"import jwt; print(jwt.encode({'user': {'username': 'x', 'role': 'admin'}}, "
                            "open('" + dir + "/rsa.pem').read(), algorithm='RS256'))\"");
    REQUIRE(rs);
    require_allowed(check(jwt_config("RS256", k.rsa_public), bearer(*rs)));
    auto es = run(*python + " -c \"import jwt; print(jwt.encode({'user': {'username': 'x', 'role': 'admin'}}, "
                            "open('" + dir + "/ec.pem').read(), algorithm='ES256'))\"");
    REQUIRE(es);
    require_allowed(check(jwt_config("ES256", k.ec_public), bearer(*es)));
    // PyJWT matches alg names exactly; libjwt alone would accept a lower-case "hs256".
    auto lower = run(*python + " -c \"import hmac, hashlib, base64, json\n"
                               "b = lambda x: base64.urlsafe_b64encode(x).decode().rstrip('=')\n"
                               "h = b(json.dumps({'alg': 'hs256', 'typ': 'JWT'}).encode()) + '.' + "
                               "b(json.dumps({'user': {'role': 'admin'}}).encode())\n"
                               "print(h + '.' + b(hmac.new(b's3cret', h.encode(), hashlib.sha256).digest()))\"");
    REQUIRE(lower);
    require_status(check(jwt_config(), bearer(*lower)), 401);
  }

  SECTION("mint_jwt tokens verify with PyJWT") {
    auto verify = [&](const std::string& token, const std::string& key_expr, const std::string& alg) {
      return run(*python + " -c \"import jwt, sys, json; print(json.dumps(jwt.decode(sys.argv[1], " + key_expr +
                 ", algorithms=['" + alg + "']), sort_keys=True))\" '" + token + "'");
    };
    auto hs = convo::mint_jwt(kSecret, "HS256", "alice", "user", kNow + 1e8);
    REQUIRE(hs.ok());
    auto decoded = verify(*hs, "'s3cret'", "HS256");
    REQUIRE(decoded);
    CHECK(*decoded == R"({"exp": 1800000000, "user": {"role": "user", "username": "alice"}})");
    CHECK_FALSE(verify(*hs, "'wrong'", "HS256"));

    auto rs = convo::mint_jwt(k.rsa_private, "RS256", "root", "admin", std::nullopt);
    REQUIRE(rs.ok());
    auto rs_decoded = verify(*rs, "open('" + dir + "/rsa.pub').read()", "RS256");
    REQUIRE(rs_decoded);
    CHECK(*rs_decoded == R"({"user": {"role": "admin", "username": "root"}})");

    auto es = convo::mint_jwt(k.ec_private, "ES256", "root", "admin", std::nullopt);
    REQUIRE(es.ok());
    CHECK(verify(*es, "open('" + dir + "/ec.pub').read()", "ES256"));
  }
}
