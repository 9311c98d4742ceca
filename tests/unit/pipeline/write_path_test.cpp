// The one write path: Conversations' session-start rule for every source, the Pipeline's outbox
// and publishing, prepare_events, and a server used as a store (--url) giving the same stored
// events as a database (--store), over a real HttpServer on loopback.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "../store/test_db.hpp"
#include "convo/broker/broker.hpp"
#include "convo/core/event_list.hpp"
#include "convo/http/server.hpp"
#include "convo/pipeline/pipeline.hpp"

using namespace convo;
using convo::test::TempDir;

namespace {

std::vector<EventPtr> parse(const char* json) {
  ParsedEvents parsed = parse_events(Json::parse(json), system_parse_context());
  REQUIRE(parsed.ok());
  return parsed.events;
}

std::shared_ptr<TrackerStore> memory_store() {
  auto store = open_store("memory:", StoreAccess::ReadWrite);
  REQUIRE(store.ok());
  return std::shared_ptr<TrackerStore>(std::move(*store));
}

// "action:action_session_start", "session_started", "user:hi", ... for the stored conversation.
std::vector<std::string> stored_shape(TrackerStore& store, const std::string& id) {
  LoadOptions all;
  all.all_sessions = true;
  auto conv = store.load(id, all);
  REQUIRE(conv.ok());
  std::vector<std::string> out;
  if (!conv->has_value()) return out;
  for (const auto& e : (**conv).events.to_json()) {
    std::string item = e["event"].get<std::string>();
    if (e.contains("name") && e["name"].is_string()) item += ":" + e["name"].get<std::string>();
    if (e.contains("text") && e["text"].is_string()) item += ":" + e["text"].get<std::string>();
    out.push_back(item);
  }
  return out;
}

const char* kUserHi = R"([{"event": "user", "timestamp": 5, "text": "hi", "parse_data": {"intent": {"name": "greet"}}}])";
const std::vector<std::string> kStarted = {"action:action_session_start", "session_started", "action:action_listen"};

// A convo server over `store` on a free loopback port, for the test's lifetime.
struct LocalServer {
  std::shared_ptr<Conversations> conversations;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  explicit LocalServer(std::shared_ptr<TrackerStore> store) {
    conversations = std::make_shared<Conversations>(std::move(store), nullptr);
    ServerOptions options;
    options.interface = "127.0.0.1";
    options.port = 0;
    options.enable_api = true;
    server = std::make_unique<HttpServer>(options, conversations);
    REQUIRE_FALSE(server->bind().has_value());
    thread = std::thread([this] { server->run(); });
  }
  ~LocalServer() {
    server->stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
};

}  // namespace

TEST_CASE("write path: an append to a new conversation begins with Rasa's session start", "[pipeline]") {
  auto store = memory_store();
  Conversations conversations(store, nullptr);
  REQUIRE_FALSE(conversations.append("a", parse(kUserHi)).has_value());
  std::vector<std::string> expected = kStarted;
  expected.push_back("user:hi");
  CHECK(stored_shape(*store, "a") == expected);

  SECTION("a second append continues without another session start") {
    REQUIRE_FALSE(conversations.append("a", parse(kUserHi)).has_value());
    expected.push_back("user:hi");
    CHECK(stored_shape(*store, "a") == expected);
  }
  SECTION("events that begin with a session start get none added") {
    REQUIRE_FALSE(conversations
                      .append("b", parse(R"([{"event": "action", "timestamp": 1, "name": "action_session_start"},
                                             {"event": "session_started", "timestamp": 1}])"))
                      .has_value());
    CHECK(stored_shape(*store, "b") == std::vector<std::string>{"action:action_session_start", "session_started"});
  }
  SECTION("a restore (tracker load) and a replace store exactly the events given") {
    REQUIRE_FALSE(conversations.append("c", parse(kUserHi), Conversations::SessionStart::Never).has_value());
    CHECK(stored_shape(*store, "c") == std::vector<std::string>{"user:hi"});
    REQUIRE_FALSE(conversations.replace("a", parse(kUserHi)).has_value());
    CHECK(stored_shape(*store, "a") == std::vector<std::string>{"user:hi"});
  }
  SECTION("a bad item in a request body stores nothing and names the item") {
    auto done = conversations.append("d", Json::parse(R"([{"event": "user", "timestamp": 6, "text": "x", "parse_data": {}},
                                                        {"event": "slot", "timestamp": 7, "name": ["not", "hashable"], "value": 1}])"));
    REQUIRE_FALSE(done.ok());
    CHECK(done.error().message.find("events[1]") != std::string::npos);
    CHECK(stored_shape(*store, "d").empty());
  }
}

TEST_CASE("write path: --url and --store store the same events", "[pipeline][http]") {
  auto behind_server = memory_store();
  LocalServer server(behind_server);
  auto remote = open_remote_store({server.url(), std::nullopt, std::nullopt, 10});
  REQUIRE(remote->is_server());
  auto local = memory_store();

  Conversations via_url(std::shared_ptr<TrackerStore>(std::move(remote)), nullptr);
  Conversations via_store(local, nullptr);
  for (auto* c : {&via_url, &via_store}) {
    REQUIRE_FALSE(c->append("alice", parse(kUserHi)).has_value());
    REQUIRE_FALSE(c->append("alice", parse(kUserHi)).has_value());
  }
  CHECK(stored_shape(*behind_server, "alice") == stored_shape(*local, "alice"));
  CHECK(stored_shape(*local, "alice").size() == 5);

  SECTION("the remote store reads, lists and replaces through the server") {
    auto reader = open_remote_store({server.url(), std::nullopt, std::nullopt, 10});
    auto loaded = reader->load("alice", LoadOptions{});
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    CHECK((**loaded).events.items.size() == 4);  // the last session: from session_started on, as Rasa
    auto listed = reader->list(ListOptions{});
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].sender_id == "alice");
    auto own = reader->tracker_json("alice", "NONE", std::nullopt);
    REQUIRE(own.ok());
    REQUIRE(own->has_value());
    CHECK(Json::parse(**own)["sender_id"] == "alice");
    REQUIRE_FALSE(via_url.replace("alice", parse(kUserHi)).has_value());
    CHECK(stored_shape(*behind_server, "alice") == std::vector<std::string>{"user:hi"});
  }
  SECTION("what a server cannot answer is a usage error, not a wrong answer") {
    auto reader = open_remote_store({server.url(), std::nullopt, std::nullopt, 10});
    LoadOptions all;
    all.all_sessions = true;
    auto loaded = reader->load("alice", all);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().kind == ErrorKind::Usage);
  }
  SECTION("a server that is not there is an upstream error") {
    auto gone = open_remote_store({"http://127.0.0.1:1", std::nullopt, std::nullopt, 2});
    auto err = gone->append("x", parse(kUserHi));
    REQUIRE(err.has_value());
    CHECK(err->kind == ErrorKind::Upstream);
  }
}

TEST_CASE("Pipeline: writes reach the event broker through the outbox", "[pipeline]") {
  TempDir dir;
  const std::string log = (dir.path / "events.log").string();
  std::vector<std::string> warnings;
  auto broker = open_broker(Json{{"type", "file"}, {"path", log}}, BrokerOptions{"endpoints.yml", {}}, warnings);
  REQUIRE(broker.ok());
  auto store = memory_store();
  Pipeline pipeline(store, nullptr, std::move(*broker));
  REQUIRE(pipeline.publishing());
  Json status = pipeline.broker_status();
  CHECK(status.contains("url"));
  CHECK(status.contains("outbox"));
  REQUIRE_FALSE(pipeline.conversations()->append("bob", parse(kUserHi)).has_value());
  CHECK(pipeline.close(std::chrono::seconds(10)) == 0);
  CHECK(pipeline.close(std::chrono::seconds(1)) == 0);  // idempotent
  std::ifstream in(log);
  std::vector<Json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  REQUIRE(lines.size() == 4);  // the session start's three events and the user event
  CHECK(lines[0]["sender_id"] == "bob");
  CHECK(lines[3]["event"] == "user");
  auto depth = store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 0);
}

TEST_CASE("Pipeline without a broker: no outbox messages", "[pipeline]") {
  auto store = memory_store();
  Pipeline pipeline(store, nullptr);
  CHECK_FALSE(pipeline.publishing());
  CHECK(pipeline.broker_status().is_null());
  REQUIRE_FALSE(pipeline.conversations()->append("bob", parse(kUserHi)).has_value());
  CHECK(*store->outbox_depth() == 0);
}

TEST_CASE("prepare_events: all or nothing, with skipped items as warnings", "[pipeline]") {
  auto ok = prepare_events(Json::parse(R"([{"event": "topic", "topic": "x"}, {"event": "user", "text": "hi", "parse_data": {}}])"), "f.json", nullptr);
  REQUIRE(ok.ok());
  CHECK(ok->events.size() == 1);
  REQUIRE(ok->warnings.size() == 1);
  CHECK(ok->warnings[0].rfind("f.json: ", 0) == 0);
  auto bad = prepare_events(Json::parse(R"([{"event": "user", "text": "hi", "parse_data": {}}, {"event": "nonsense"}])"), "f.json", nullptr);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind("f.json: ", 0) == 0);
  CHECK(bad.error().message.find("nothing was stored") != std::string::npos);
  auto one = prepare_events(Json::parse(R"({"event": "user", "text": "hi", "parse_data": {}})"), "one", nullptr);
  REQUIRE(one.ok());
  CHECK(one->events.size() == 1);
}

TEST_CASE("publisher_status_json: Rasa-free status of the outbox drain", "[pipeline]") {
  PublisherStatus s;
  s.broker = "file:x";
  s.state = "disconnected";
  s.outbox = 3;
  s.last_error = "down";
  s.retry_in = 1.5;
  Json j = publisher_status_json(s);
  CHECK(j["url"] == "file:x");
  CHECK(j["outbox"] == 3);
  CHECK(j["error"] == "down");
  CHECK(j["retry_in"] == 1.5);
  s.state = "connected";
  s.last_error.clear();
  Json k = publisher_status_json(s);
  CHECK_FALSE(k.contains("error"));
  CHECK_FALSE(k.contains("retry_in"));
}
