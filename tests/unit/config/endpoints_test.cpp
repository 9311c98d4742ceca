// endpoints.yml: environment-variable substitution (http-api.md §7.4), sections (§7.1, §7.2;
// brokers-and-stores.md §1.1) and the tracker-store URL (brokers-and-stores.md §1.2, §8.1, §8.2).
// Expected values follow the spec's rules, worked out by hand.
#include "convo/config/endpoints.hpp"

#include <catch2/catch.hpp>
#include <map>

using convo::EndpointsConfig;
using convo::ErrorKind;
using convo::Json;
using convo::StoreSettings;

namespace {

const char* const kSource = "endpoints.yml";

convo::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EndpointsConfig load_ok(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  auto result = convo::load_endpoints_yaml(yaml, kSource, env_of(std::move(vars)));
  if (!result) FAIL("unexpected error: " << result.error().message);
  return std::move(result.value());
}

std::string load_error(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  auto result = convo::load_endpoints_yaml(yaml, kSource, env_of(std::move(vars)));
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// The tracker_store section of `yaml` as store settings.
StoreSettings store_ok(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  auto config = load_ok(yaml, std::move(vars));
  auto result = convo::store_settings_from_config(config);
  if (!result) FAIL("unexpected error: " << result.error().message);
  return std::move(result.value());
}

convo::Error store_error(const std::string& yaml) {
  auto config = load_ok(yaml);
  auto result = convo::store_settings_from_config(config);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

std::string store_url(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  return store_ok(yaml, std::move(vars)).url;
}

}  // namespace

// --- §7.4 rule 1: only plain scalars ---

TEST_CASE("env: a plain scalar is substituted, a quoted one is taken literally", "[config][env]") {
  auto c = load_ok(
      "action_endpoint:\n"
      "  url: ${URL}\n"
      "  token: \"${TOKEN}\"\n"
      "  token_name: '${TOKEN}'\n",
      {{"URL", "http://actions:5055/webhook"}, {"TOKEN", "t0k"}});
  CHECK(c.action_endpoint["url"] == "http://actions:5055/webhook");
  CHECK(c.action_endpoint["token"] == "${TOKEN}");
  CHECK(c.action_endpoint["token_name"] == "${TOKEN}");
}

TEST_CASE("env: quoted references to unset variables are no error", "[config][env]") {
  auto c = load_ok("models:\n  token: \"${NOPE}\"\n  url: '${NOPE}'\n");
  CHECK(c.models["token"] == "${NOPE}");
  CHECK(c.models["url"] == "${NOPE}");
}

TEST_CASE("env: block scalars and explicitly tagged scalars are not plain", "[config][env]") {
  auto c = load_ok("nlg:\n  url: |\n    ${URL}\n  token: !!str ${URL}\n", {{"URL", "http://x"}});
  CHECK(c.nlg["url"] == "${URL}\n");
  CHECK(c.nlg["token"] == "${URL}");
}

// --- rule 2: ${…} anywhere qualifies; then ${NAME} and $NAME are both expanded ---

TEST_CASE("env: a reference embedded in a longer value is expanded", "[config][env]") {
  auto c = load_ok("models:\n  url: http://${HOST}:8080/models/${TAG}\n",
                   {{"HOST", "models.internal"}, {"TAG", "production"}});
  CHECK(c.models["url"] == "http://models.internal:8080/models/production");
}

TEST_CASE("env: once ${…} qualifies the scalar, $NAME is expanded too", "[config][env]") {
  auto c = load_ok("models:\n  url: http://$HOST:${PORT}/x\n", {{"HOST", "h"}, {"PORT", "1"}});
  CHECK(c.models["url"] == "http://h:1/x");
}

TEST_CASE("env: $NAME alone does not make a scalar qualify", "[config][env]") {
  auto c =
      load_ok("models:\n  url: http://$HOST/x\n  token: $TOKEN\n", {{"HOST", "h"}, {"TOKEN", "t"}});
  CHECK(c.models["url"] == "http://$HOST/x");
  CHECK(c.models["token"] == "$TOKEN");
}

TEST_CASE("env: has_env_reference follows the resolver pattern", "[config][env]") {
  CHECK(convo::has_env_reference("${X}"));
  CHECK(convo::has_env_reference("a ${X} b"));
  CHECK(convo::has_env_reference("${}"));
  CHECK_FALSE(convo::has_env_reference("$X"));
  CHECK_FALSE(convo::has_env_reference("${X"));
  CHECK_FALSE(convo::has_env_reference("}${"));
  CHECK_FALSE(convo::has_env_reference("a\n${X}"));  // `.` does not cross a line break
}

// --- rule 3: the result is always a string ---

TEST_CASE("env: a substituted number, boolean or empty value stays a string", "[config][env]") {
  auto c = load_ok(
      "tracker_store:\n"
      "  port: ${PORT}\n"
      "  use_ssl: ${SSL}\n"
      "  password: ${EMPTY}\n"
      "  db: ${NULLISH}\n",
      {{"PORT", "6379"}, {"SSL", "true"}, {"EMPTY", ""}, {"NULLISH", "null"}});
  CHECK(c.tracker_store["port"] == Json("6379"));
  CHECK(c.tracker_store["use_ssl"] == Json("true"));
  CHECK(c.tracker_store["password"] == Json(""));
  CHECK(c.tracker_store["db"] == Json("null"));
}

// --- rule 4: unset variables ---

TEST_CASE("env: an unset reference left as its own word is an error", "[config][env]") {
  CHECK(load_error("tracker_store:\n  type: redis\n  password: ${PW}\n") ==
        "endpoints.yml:3: environment variable PW is not set (in \"${PW}\")");
}

TEST_CASE("env: an unset reference glued to other text is kept as written", "[config][env]") {
  auto c = load_ok("action_endpoint:\n  url: http://host:${PORT}/webhook\n");
  CHECK(c.action_endpoint["url"] == "http://host:${PORT}/webhook");
}

TEST_CASE("env: unset words among other words", "[config][env]") {
  CHECK(load_error("nlg:\n  url: ${A} and ${B}\n") ==
        "endpoints.yml:2: environment variables A, B are not set (in \"${A} and ${B}\")");
  // `$NAME` counts as well once the scalar qualifies.
  CHECK(load_error("nlg:\n  url: $MISSING ${B}\n", {{"B", "b"}}) ==
        "endpoints.yml:2: environment variable MISSING is not set (in \"$MISSING ${B}\")");
}

TEST_CASE("env: a word is refused only when it also occurs in the original", "[config][env]") {
  // "${A}b" starts with `$` but is not in "${A}${B}".
  auto r = convo::expand_env_vars("${A}${B}", env_of({{"B", "b"}}));
  REQUIRE(r.ok());
  CHECK(*r == "${A}b");
}

TEST_CASE("env: a value containing $ is fine", "[config][env]") {
  auto c = load_ok("tracker_store:\n  password: ${PW}\n  username: ${USER_NAME}\n",
                   {{"PW", "p$ss"}, {"USER_NAME", "$admin"}});
  CHECK(c.tracker_store["password"] == "p$ss");
  CHECK(c.tracker_store["username"] == "$admin");  // "$admin" is not in "${USER_NAME}"
}

TEST_CASE("env: expand_env_vars follows os.path.expandvars", "[config][env]") {
  auto env = env_of({{"A", "1"}, {"A_B", "2"}});
  CHECK(*convo::expand_env_vars("x${A}y", env) == "x1y");
  CHECK(*convo::expand_env_vars("x $A_B-y", env) == "x 2-y");  // \w+ takes the longest name
  CHECK(*convo::expand_env_vars("cost: 5$ ${A}", env) == "cost: 5$ 1");
  CHECK(*convo::expand_env_vars("x${A", env) == "x${A");  // no closing brace: no reference
  // A substituted value is not expanded again.
  CHECK(*convo::expand_env_vars("${X}", env_of({{"X", "${A}"}})) == "${A}");
}

// --- rule 5: keys ---

TEST_CASE("env: plain mapping keys are substituted", "[config][env]") {
  auto c = load_ok("${SECTION}:\n  type: sql\n  ${KEY}: x.db\n",
                   {{"SECTION", "tracker_store"}, {"KEY", "db"}});
  REQUIRE(c.tracker_store.is_object());
  CHECK(c.tracker_store["db"] == "x.db");
  CHECK(load_error("tracker_store:\n  ${K}: 1\n") ==
        "endpoints.yml:2: environment variable K is not set (in \"${K}\")");
  // Quoted keys are literal.
  auto q = load_ok("models:\n  \"${K}\": 1\n");
  CHECK(q.models.contains("${K}"));
}

// --- YAML 1.2 core-schema typing ---

TEST_CASE("yaml: 1.2 scalars: yes/no/on/off stay strings", "[config][yaml]") {
  auto c = load_ok(
      "tracker_store:\n"
      "  type: redis\n"
      "  use_ssl: yes\n"
      "  a: no\n"
      "  b: on\n"
      "  c: True\n"
      "  db: 010\n"
      "  port: 6379\n"
      "  d: ~\n");
  const Json& t = c.tracker_store;
  CHECK(t["use_ssl"] == Json("yes"));
  CHECK(t["a"] == Json("no"));
  CHECK(t["b"] == Json("on"));
  CHECK(t["c"] == Json(true));
  CHECK(t["db"] == Json(10));
  CHECK(t["port"] == Json(6379));
  CHECK(t["d"].is_null());
}

// --- §7.1 sections ---

TEST_CASE("endpoints: an empty file configures nothing", "[config][endpoints]") {
  for (const std::string text : {"", "\n", "# only a comment\n", "---\n", "{}\n"}) {
    auto c = load_ok(text);
    CHECK(c.tracker_store.is_null());
    CHECK(c.event_broker.is_null());
    CHECK(c.lock_store.is_null());
    CHECK(c.models.is_null());
    CHECK(c.action_endpoint.is_null());
    CHECK(c.nlg.is_null());
    CHECK(c.nlu.is_null());
    CHECK(c.warnings.empty());
    CHECK(c.source == kSource);
  }
}

TEST_CASE("endpoints: a section with a null or empty value counts as absent",
          "[config][endpoints]") {
  auto c = load_ok("tracker_store:\nevent_broker: ~\nlock_store: null\nmodels: {}\n");
  CHECK(c.tracker_store.is_null());
  CHECK(c.event_broker.is_null());
  CHECK(c.lock_store.is_null());
  CHECK(c.models.is_null());
  CHECK(store_ok("tracker_store:\n").url == "memory:");
}

TEST_CASE("endpoints: every section of the spec's example is read", "[config][endpoints]") {
  auto c = load_ok(
      "action_endpoint:\n"
      "  url: \"http://actions:5055/webhook\"\n"
      "  token: ${ACTION_TOKEN}\n"
      "\n"
      "models:\n"
      "  url: http://models.internal/api/projects/default/models/tags/production\n"
      "  wait_time_between_pulls: 30\n"
      "  token: ${MODEL_SERVER_TOKEN}\n"
      "\n"
      "tracker_store:\n"
      "  type: redis\n"
      "  url: redis.internal\n"
      "  port: 6379\n"
      "  db: 0\n"
      "  password: ${REDIS_PASSWORD}\n",
      {{"ACTION_TOKEN", "a"}, {"MODEL_SERVER_TOKEN", "m"}, {"REDIS_PASSWORD", "r"}});
  CHECK(c.action_endpoint == Json::parse(R"({"url":"http://actions:5055/webhook","token":"a"})"));
  CHECK(c.models["wait_time_between_pulls"] == 30);
  CHECK(c.models["token"] == "m");
  CHECK(c.tracker_store["password"] == "r");
  CHECK(c.tracker_store["port"] == 6379);
  CHECK(c.event_broker.is_null());
}

TEST_CASE("endpoints: malformed files are errors with a line", "[config][endpoints]") {
  CHECK(load_error("tracker_store: sql\n") ==
        "endpoints.yml:1: `tracker_store` must be a mapping of settings, not a string");
  CHECK(load_error("models:\n  url: x\nnlg:\n  - a\n") ==
        "endpoints.yml:3: `nlg` must be a mapping of settings, not an array");
  CHECK(load_error("- a\n") ==
        "endpoints.yml:1: endpoints file must be a mapping of sections (tracker_store: ...), not "
        "an array");
  CHECK(load_error("models:\n  url: [\n").rfind("endpoints.yml:", 0) == 0);
  CHECK(load_error("models: {}\nmodels: {}\n").find("duplicate key 'models'") != std::string::npos);
}

TEST_CASE("endpoints: an unknown section is a warning", "[config][endpoints]") {
  auto c = load_ok("models:\n  url: x\ntracker_stor:\n  type: sql\n");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].rfind("endpoints.yml:3: unknown section 'tracker_stor'", 0) == 0);
}

// --- brokers-and-stores §1.2: backend selection ---

TEST_CASE("store: no section or no type is the in-memory store", "[config][store]") {
  CHECK(store_url("models:\n  url: x\n") == "memory:");
  CHECK(store_url("tracker_store:\n  type: ~\n") == "memory:");
  auto s = store_ok("tracker_store:\n  db: x.db\n");
  CHECK(s.url == "memory:");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].rfind("endpoints.yml:2: tracker_store: `db`", 0) == 0);
}

TEST_CASE("store: type is case-insensitive and store_type is an alias that wins",
          "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: SQL\n") == "sqlite:///rasa.db");
  CHECK(store_url("tracker_store:\n  store_type: sql\n") == "sqlite:///rasa.db");
  CHECK(store_url("tracker_store:\n  type: redis\n  store_type: sql\n") == "sqlite:///rasa.db");
  // store_type wins even when null: Rasa pops both and keeps store_type's value.
  CHECK(store_url("tracker_store:\n  type: sql\n  store_type:\n") == "memory:");
}

TEST_CASE("store: redis, mongod, dynamo and custom classes are not supported", "[config][store]") {
  for (const std::string type : {"redis", "mongod", "dynamo", "Redis"}) {
    auto err = store_error("tracker_store:\n  type: " + type + "\n");
    CHECK(err.kind == ErrorKind::Usage);
    CHECK(err.message.rfind(
              "endpoints.yml:2: tracker_store type '" + type + "' is not supported by convo yet",
              0) == 0);
  }
  auto custom = store_error("tracker_store:\n  url: x\n  type: my_module.MyStore\n");
  CHECK(custom.kind == ErrorKind::Usage);
  CHECK(custom.message.rfind("endpoints.yml:3: tracker_store type 'my_module.MyStore' is not "
                             "supported by convo",
                             0) == 0);
}

// --- §8.2 URL construction: SQLite ---

TEST_CASE("store: sqlite URLs from db", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n") == "sqlite:///rasa.db");
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: sqlite\n  db: rasa.db\n") ==
        "sqlite:///rasa.db");
  CHECK(store_url("tracker_store:\n  type: sql\n  db: /var/lib/convo/rasa.db\n") ==
        "sqlite:////var/lib/convo/rasa.db");
  CHECK(store_url("tracker_store:\n  type: sql\n  db: \"\"\n") == "memory:");
  CHECK(store_url("tracker_store:\n  type: sql\n  db: \":memory:\"\n") == "memory:");
  CHECK(store_url("tracker_store:\n  type: sql\n  db: ${DB}\n", {{"DB", "data/t.db"}}) ==
        "sqlite:///data/t.db");
}

TEST_CASE("store: a url containing :// is used verbatim", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n  url: sqlite:///tracker.db\n") ==
        "sqlite:///tracker.db");
  auto pg = store_ok("tracker_store:\n  type: sql\n  url: postgresql://u:p@h:5432/rasa\n");
  CHECK(pg.url == "postgresql://u:p@h:5432/rasa");
  CHECK(pg.postgresql_env);
  // Every other key is ignored, with a warning.
  auto s = store_ok("tracker_store:\n  type: sql\n  url: sqlite:///t.db\n  db: other.db\n");
  CHECK(s.url == "sqlite:///t.db");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].rfind("endpoints.yml:4: tracker_store: `db` is ignored", 0) == 0);
  // Rasa crashes on login_db with a full URL; convo refuses it.
  auto err = store_error("tracker_store:\n  type: sql\n  url: postgresql://h/x\n  login_db: p\n");
  CHECK(err.message.rfind("endpoints.yml:4: tracker_store: `login_db` cannot be combined", 0) == 0);
}

TEST_CASE("store: SQLite takes no host, port or credentials", "[config][store]") {
  auto err = store_error("tracker_store:\n  type: sql\n  url: localhost\n");
  CHECK(err.message.rfind("endpoints.yml:3: tracker_store: `url` cannot be used with SQLite", 0) ==
        0);
  CHECK(store_error("tracker_store:\n  type: sql\n  username: u\n").message.find("`username`") !=
        std::string::npos);
}

// --- §8.2 URL construction: PostgreSQL ---

TEST_CASE("store: postgresql URL from its parts", "[config][store]") {
  auto s = store_ok(
      "tracker_store:\n"
      "  type: SQL\n"
      "  dialect: postgresql\n"
      "  url: db.example.com\n"
      "  port: 5432\n"
      "  db: rasa\n"
      "  username: rasa_user\n"
      "  password: secret\n");
  CHECK(s.url == "postgresql://rasa_user:secret@db.example.com:5432/rasa");
  CHECK_FALSE(s.login_db);
  CHECK(s.postgresql_env);
  CHECK(s.warnings.empty());
}

TEST_CASE("store: postgresql defaults and partial settings", "[config][store]") {
  // db defaults to rasa.db for every dialect; no user, no port.
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n") ==
        "postgresql://h/rasa.db");
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n  username: "
                  "u\n  db: d\n") == "postgresql://u@h/d");
}

TEST_CASE("store: a port inside url overrides the port key", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: db:6543\n  port: "
                  "5432\n  db: rasa\n") == "postgresql://db:6543/rasa");
  // The port may come from the environment (then it is a string).
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: db\n  port: "
                  "${PGPORT}\n  db: rasa\n",
                  {{"PGPORT", "5433"}}) == "postgresql://db:5433/rasa");
  auto err = store_error("tracker_store:\n  type: sql\n  dialect: postgresql\n  port: abc\n");
  CHECK(err.message.rfind("endpoints.yml:4: tracker_store: `port` must be a port number", 0) == 0);
}

TEST_CASE("store: user name and password are percent-encoded", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n  db: d\n"
                  "  username: \"me@corp\"\n  password: \"p@ss:w/rd%?#\"\n") ==
        "postgresql://me%40corp:p%40ss%3Aw%2Frd%25%3F%23@h/d");
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n  db: d\n"
                  "  username: u\n  password: ${PW}\n",
                  {{"PW", "a b"}}) == "postgresql://u:a%20b@h/d");
}

TEST_CASE("store: query mapping becomes URL parameters", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n  db: d\n"
                  "  query:\n    sslmode: require\n    connect_timeout: 10\n") ==
        "postgresql://h/d?sslmode=require&connect_timeout=10");
}

TEST_CASE("store: login_db is kept apart from db", "[config][store]") {
  auto s = store_ok(
      "tracker_store:\n  type: sql\n  dialect: postgresql\n  url: h\n  db: rasa\n"
      "  login_db: postgres\n");
  CHECK(s.url == "postgresql://h/rasa");
  REQUIRE(s.login_db);
  CHECK(*s.login_db == "postgres");
}

TEST_CASE("store: postgresql+psycopg2 is PostgreSQL without the env settings", "[config][store]") {
  auto s = store_ok("tracker_store:\n  type: sql\n  dialect: postgresql+psycopg2\n  url: h\n");
  CHECK(s.url == "postgresql://h/rasa.db");
  CHECK_FALSE(s.postgresql_env);
}

TEST_CASE("store: other dialects are not supported", "[config][store]") {
  auto err = store_error("tracker_store:\n  type: sql\n  dialect: mysql+pymysql\n");
  CHECK(err.kind == ErrorKind::Usage);
  CHECK(err.message.rfind("endpoints.yml:3: tracker_store: SQL dialect 'mysql+pymysql' is not "
                          "supported by convo yet",
                          0) == 0);
}

TEST_CASE("store: unknown keys are warnings with their line", "[config][store]") {
  auto s = store_ok(
      "tracker_store:\n  type: sql\n  db: t.db\n  bogus: 1\n  token: x\n"
      "  retrieve_events_from_previous_conversation_sessions: true\n");
  CHECK(s.url == "sqlite:///t.db");
  REQUIRE(s.warnings.size() == 3);
  CHECK(s.warnings[0].rfind("endpoints.yml:4: tracker_store: `bogus`", 0) == 0);
  CHECK(s.warnings[1].rfind("endpoints.yml:5: tracker_store: `token`", 0) == 0);
  CHECK(s.warnings[2].rfind(
            "endpoints.yml:6: tracker_store: `retrieve_events_from_previous_conversation_sessions`",
            0) == 0);
}

TEST_CASE("env: a lone `$` word is refused like any unexpanded word", "[config][env]") {
  // Rule 4 looks at words, not at references: "$" starts with `$` and is in the original.
  CHECK(load_error("nlg:\n  url: $ ${B}\n", {{"B", "b"}})
            .rfind("endpoints.yml:2: cannot expand the environment variables (in \"$ ${B}\")", 0) ==
        0);
}

TEST_CASE("store: bracketed IPv6 hosts and repeated query values", "[config][store]") {
  CHECK(store_url("tracker_store:\n  type: sql\n  dialect: postgresql\n  url: '[::1]:5433'\n"
                  "  db: d\n  query:\n    options: [a, b c]\n") ==
        "postgresql://[::1]:5433/d?options=a&options=b%20c");
}

TEST_CASE("store: warnings come in file order", "[config][store]") {
  auto s =
      store_ok("tracker_store:\n  zzz: 1\n  type: sql\n  query:\n    timeout: 5\n  headers: {}\n");
  REQUIRE(s.warnings.size() == 3);
  CHECK(s.warnings[0].rfind("endpoints.yml:2: tracker_store: `zzz`", 0) == 0);
  CHECK(s.warnings[1].rfind("endpoints.yml:4: tracker_store: `query` is ignored for SQLite", 0) ==
        0);
  CHECK(s.warnings[2].rfind("endpoints.yml:6: tracker_store: `headers`", 0) == 0);
}

// Found by fuzzing: yaml-cpp 0.7 never returns from a document whose root node begins with ','.
// Such files are refused with the comma's line, as PyYAML refuses them; a comma elsewhere is data.
TEST_CASE("yaml: a document whose root begins with ',' is refused, not parsed for ever", "[config][yaml]") {
  struct Case {
    const char* yaml;
    const char* where;
  };
  for (const Case& c : {Case{",", "endpoints.yml:1:1:"}, Case{"# note\n\n  ,a: 1\n", "endpoints.yml:3:3:"},
                        Case{"a: 1\n---\n,\n", "endpoints.yml:3:1:"}, Case{"&anchor !tag ,x\n", "endpoints.yml:1:14:"},
                        Case{"%YAML 1.2\n--- ,\n", "endpoints.yml:2:5:"}, Case{"a: 1\n...\n,b\n", "endpoints.yml:3:1:"}}) {
    INFO(c.yaml);
    auto result = convo::load_endpoints_yaml(c.yaml, kSource, env_of({}));
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error().message, Catch::Matchers::StartsWith(c.where) &&
                                           Catch::Matchers::Contains("expected the node content, but found ','"));
  }
  EndpointsConfig fine = load_ok("nlu:\n  url: \"a,b\"\n  token: x,y\nmodels:\n  url: [a, b]\n");
  CHECK(fine.nlu["token"] == "x,y");
}
