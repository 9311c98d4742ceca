// PostgreSQL store against a real server (tests/support/postgres_server). Without PostgreSQL
// installed these tests warn loudly and skip; a server that is installed but fails is a failure.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "../../support/postgres_server.hpp"
#include "convo/store/tracker_store.hpp"
#include "store_contract.hpp"

using namespace convo;
using test::PostgresServer;

namespace {

PostgresServer* server_or_skip() {
  PostgresServer& server = PostgresServer::shared();
  if (!server.skip_reason().empty()) {
    WARN("PostgreSQL tests SKIPPED: " << server.skip_reason());
    return nullptr;
  }
  INFO(server.startup_error());
  REQUIRE(server.startup_error().empty());
  return &server;
}

std::string fresh_database(PostgresServer& server) {
  std::string url = server.create_database();
  REQUIRE_FALSE(url.empty());
  return url;
}

std::unique_ptr<TrackerStore> open_ok(const std::string& url, StoreAccess access) {
  auto store = open_store(url, access);
  INFO((store.ok() ? "" : store.error().message));
  REQUIRE(store.ok());
  return std::move(*store);
}

std::vector<std::string> rows_of(PostgresServer& server, const std::string& url, const std::string& sql) {
  auto result = server.query(url, sql);
  INFO(sql << "\n" << result.error);
  REQUIRE(result.ok);
  return result.rows;
}

// The DDL Rasa 2.8's SQLTrackerStore creates on PostgreSQL (SQLAlchemy's rendering).
const char* kRasaDdl =
    "CREATE TABLE events (\n\tid SERIAL NOT NULL, \n\tsender_id VARCHAR(255) NOT NULL, \n"
    "\ttype_name VARCHAR(255) NOT NULL, \n\ttimestamp FLOAT, \n\tintent_name VARCHAR(255), \n"
    "\taction_name VARCHAR(255), \n\tdata TEXT, \n\tPRIMARY KEY (id)\n);\n"
    "CREATE INDEX ix_events_sender_id ON events (sender_id);\n";

const char* kColumnsSql =
    "SELECT column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, "
    "coalesce(column_default, '') FROM information_schema.columns "
    "WHERE table_name = 'events' ORDER BY ordinal_position;";

}  // namespace

TEST_CASE("PostgreSQL store: the store contract") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  test::check_store_contract([&] { return open_ok(fresh_database(*server), StoreAccess::ReadWrite); });
}

TEST_CASE("PostgreSQL store writes Rasa's schema and columns") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string url = fresh_database(*server);
  auto store = open_ok(url, StoreAccess::ReadWrite);
  REQUIRE_FALSE(store->append("x", test::events_of(R"([
    {"event": "user", "timestamp": 10.5, "text": "ça", "parse_data": {"intent": {"name": "hi"}}},
    {"event": "slot", "timestamp": 11, "name": "city", "value": "Zürich"},
    {"event": "action", "timestamp": 12.0, "name": "utter_x", "confidence": 0.5},
    {"event": "restart", "timestamp": 13.0}
  ])")));
  auto columns = rows_of(*server, url, kColumnsSql);
  CHECK(columns == std::vector<std::string>{
                       "id|integer||NO|nextval('events_id_seq'::regclass)",
                       "sender_id|character varying|255|NO|", "type_name|character varying|255|NO|",
                       "timestamp|double precision||YES|", "intent_name|character varying|255|YES|",
                       "action_name|character varying|255|YES|", "data|text||YES|"});
  // Exactly what Rasa's own DDL produces.
  std::string rasa_url = fresh_database(*server);
  rows_of(*server, rasa_url, kRasaDdl);
  CHECK(rows_of(*server, rasa_url, kColumnsSql) == columns);
  CHECK(rows_of(*server, url, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' "
                              "ORDER BY indexname COLLATE \"C\";") ==
        std::vector<std::string>{
            "convo_ix_events_session_starts|CREATE INDEX convo_ix_events_session_starts ON public.events "
            "USING btree (sender_id) WHERE ((type_name)::text = 'session_started'::text)",
            "events_pkey|CREATE UNIQUE INDEX events_pkey ON public.events USING btree (id)",
            "ix_events_sender_id|CREATE INDEX ix_events_sender_id ON public.events USING btree (sender_id)"});
  CHECK(rows_of(*server, url, "SELECT sender_id, type_name, timestamp, coalesce(intent_name, 'NULL'), "
                              "coalesce(action_name, 'NULL') FROM events ORDER BY id;") ==
        std::vector<std::string>{"x|user|10.5|hi|NULL", "x|slot|11|NULL|city", "x|action|12|NULL|utter_x",
                                 "x|restart|13|NULL|NULL"});
  // data as Python's json.dumps (ASCII-escaped, ", " and ": ").
  CHECK(rows_of(*server, url, "SELECT data FROM events WHERE type_name = 'slot';") ==
        std::vector<std::string>{R"({"event": "slot", "timestamp": 11, "name": "city", "value": "Z\u00fcrich"})"});

  // Timestamps keep every bit of the double, in the column and back through list().
  REQUIRE_FALSE(store->append("precise", test::events_of(
                                             R"([{"event": "restart", "timestamp": 1628072400.1234567}])")));
  CHECK(rows_of(*server, url, "SELECT timestamp = 1628072400.1234567::float8 FROM events "
                              "WHERE sender_id = 'precise';") == std::vector<std::string>{"t"});
  auto listed = store->list({});
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].first_event_time.get<double>() == 1628072400.1234567);

  // Reopening an existing database leaves its schema alone.
  auto again = open_ok(url, StoreAccess::ReadWrite);
  CHECK(rows_of(*server, url, "SELECT count(*) FROM events;") == std::vector<std::string>{"5"});
}

TEST_CASE("PostgreSQL store reads a database Rasa wrote") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string url = fresh_database(*server);
  // Rows as Rasa's SQLTrackerStore writes them: json.dumps text with \u escapes.
  rows_of(*server, url, std::string(kRasaDdl) +
      "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES "
      "('default','action',1628072400.01,NULL,'action_session_start',"
      "'{\"event\": \"action\", \"timestamp\": 1628072400.01, \"name\": \"action_session_start\", "
      "\"policy\": null, \"confidence\": 1.0, \"action_text\": null, \"hide_rule_turn\": false}'),"
      "('default','session_started',1628072400.02,NULL,NULL,"
      "'{\"event\": \"session_started\", \"timestamp\": 1628072400.02}'),"
      "('default','user',1628072401.5,'greet',NULL,"
      "'{\"event\": \"user\", \"timestamp\": 1628072401.5, \"text\": \"h\\u00e9 \\u2713\", \"parse_data\": "
      "{\"intent\": {\"name\": \"greet\", \"confidence\": 1.0}, \"entities\": []}, "
      "\"input_channel\": \"rest\", \"message_id\": \"m\", \"metadata\": {}}'),"
      "('default','slot',1628072402.0,NULL,'name','not json at all');\n");
  auto store = open_ok(url, StoreAccess::ReadOnly);
  LoadOptions all;
  all.all_sessions = true;
  auto loaded = store->load("default", all);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const auto& conv = **loaded;
  REQUIRE(conv.events.items.size() == 3);
  const Json rows = conv.events.to_json();
  CHECK(rows[0]["confidence"].is_number_float());
  CHECK(rows[2]["text"] == "hé ✓");  // \u escapes decoded
  REQUIRE(conv.warnings.size() == 1);       // the broken row is reported with its id, not fatal
  CHECK(conv.warnings[0].rfind("row 4:", 0) == 0);
  auto last = store->load("default", {});
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((**last).events.items.size() == 2);  // from the session_started row on
  auto listed = store->list({});
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].events == 4);
  CHECK((*listed)[0].first_event_time.get<double>() == 1628072400.01);
  // Read-only access did not add convo's index to Rasa's database.
  CHECK(rows_of(*server, url, "SELECT to_regclass('convo_ix_events_session_starts') IS NULL;") ==
        std::vector<std::string>{"t"});
}

TEST_CASE("PostgreSQL store: an earlier convo's (sender_id, type_name) index gives way to the partial one") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string url = fresh_database(*server);
  rows_of(*server, url, std::string(kRasaDdl) + "CREATE INDEX convo_ix_events_sender_type ON events (sender_id, type_name);\n");
  open_ok(url, StoreAccess::ReadOnly);
  CHECK(rows_of(*server, url, "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'convo_ix%';") ==
        std::vector<std::string>{"convo_ix_events_sender_type"});
  open_ok(url, StoreAccess::ReadWrite);
  CHECK(rows_of(*server, url, "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'convo_ix%';") ==
        std::vector<std::string>{"convo_ix_events_session_starts"});
}

TEST_CASE("PostgreSQL store: read-only access never creates or changes anything") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string empty = fresh_database(*server);
  rows_of(*server, empty, "CREATE TABLE other (x integer);");
  auto not_rasa = open_store(empty, StoreAccess::ReadOnly);
  REQUIRE_FALSE(not_rasa.ok());
  CHECK(not_rasa.error().kind == ErrorKind::NotFound);
  CHECK(not_rasa.error().message.find("not a Rasa tracker database (it has no events table)") !=
        std::string::npos);
  CHECK(rows_of(*server, empty, "SELECT relname FROM pg_class WHERE relname LIKE '%events%';").empty());

  std::string rasa = fresh_database(*server);
  rows_of(*server, rasa, kRasaDdl);
  auto store = open_ok(rasa, StoreAccess::ReadOnly);
  auto refused = store->append("s", test::events_of(R"([{"event": "restart", "timestamp": 1}])"));
  REQUIRE(refused);
  CHECK(refused->message.find("read-only") != std::string::npos);
  CHECK(rows_of(*server, rasa, "SELECT count(*) FROM events;") == std::vector<std::string>{"0"});

  auto missing = open_store(server->url("no_such_database"), StoreAccess::ReadOnly);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::NotFound);
  CHECK(missing.error().message.find("no_such_database") != std::string::npos);
}

TEST_CASE("PostgreSQL store: an unreachable server is an upstream error with the password masked") {
  // Needs no server: a closed local port refuses at once.
  std::string port = std::to_string(PostgresServer::free_port());
  for (const std::string& url : {"postgresql://rasa:s3cret@127.0.0.1:" + port + "/rasa",
                                 "postgres://rasa@127.0.0.1:" + port + "/rasa?password=s3cret&connect_timeout=5"}) {
    auto store = open_store(url, StoreAccess::ReadOnly);
    REQUIRE_FALSE(store.ok());
    INFO(store.error().message);
    CHECK(store.error().kind == ErrorKind::Upstream);
    CHECK(store.error().message.find("127.0.0.1:" + port) != std::string::npos);
    CHECK(store.error().message.find("s3cret") == std::string::npos);
    CHECK(store.error().message.find("***") != std::string::npos);
  }
  auto bad = open_store("postgresql://127.0.0.1/rasa?no_such_option=1", StoreAccess::ReadOnly);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Usage);
}

TEST_CASE("PostgreSQL store: postgres:// URLs with parameters; describe() masks the password") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string url = fresh_database(*server);
  std::string with_password = "postgres://postgres:pw123@" + url.substr(url.find('@') + 1) +
                              "?application_name=convo_test&connect_timeout=5";
  auto store = open_ok(with_password, StoreAccess::ReadWrite);
  CHECK(store->describe() == "postgres://postgres:***@" + url.substr(url.find('@') + 1) +
                                 "?application_name=convo_test&connect_timeout=5");
  auto loaded = store->load("nobody", {});
  REQUIRE(loaded.ok());
  CHECK_FALSE(loaded->has_value());
}

TEST_CASE("PostgreSQL store: concurrent appends to one conversation lose nothing, batches stay whole") {
  PostgresServer* server = server_or_skip();
  if (!server) return;
  std::string url = fresh_database(*server);
  constexpr int kBatches = 200;
  // Two events per batch so that a split batch would show; built here because Catch2's
  // assertions must not run on other threads.
  std::vector<std::vector<EventPtr>> batches[2];
  for (int w = 0; w < 2; ++w)
    for (int i = 0; i < kBatches; ++i) {
      std::string tag = std::to_string(w) + "-" + std::to_string(i);
      std::string json = R"([{"event": "bot", "timestamp": 1, "text": ")" + tag + R"(/1"},
                             {"event": "bot", "timestamp": 1, "text": ")" + tag + R"(/2"}])";
      batches[w].push_back(test::events_of(json.c_str()));
    }
  std::string errors[2];
  auto writer = [&](int w) {
    // Each writer opens its own connection, as a separate process would.
    auto store = open_store(url, StoreAccess::ReadWrite);
    if (!store.ok()) {
      errors[w] = store.error().message;
      return;
    }
    for (const auto& batch : batches[w])
      if (auto err = (*store)->append("shared", batch)) {
        errors[w] = err->message;
        return;
      }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  CHECK(errors[0].empty());
  CHECK(errors[1].empty());

  auto store = open_ok(url, StoreAccess::ReadOnly);
  LoadOptions all;
  all.all_sessions = true;
  auto loaded = store->load("shared", all);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const Json events = (**loaded).events.to_json();
  REQUIRE(events.size() == 2 * 2 * kBatches);
  int next[2] = {0, 0};  // each writer's batches appear whole and in its own order
  for (std::size_t i = 0; i < events.size(); i += 2) {
    std::string first = events[i]["text"], second = events[i + 1]["text"];
    auto slash = first.find('/');
    REQUIRE(first.substr(slash) == "/1");
    REQUIRE(second == first.substr(0, slash) + "/2");
    int w = first[0] - '0';
    REQUIRE(first.substr(0, slash) == std::to_string(w) + "-" + std::to_string(next[w]));
    ++next[w];
  }
  CHECK(next[0] == kBatches);
  CHECK(next[1] == kBatches);
}
