// The broker body both ways: what convo publishes (checked against Python's json.dumps) and how
// a consumer classifies what it receives.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "convo/core/broker_message.hpp"
#include "convo/core/event_list.hpp"

using namespace convo;
namespace fs = std::filesystem;

namespace {

ParseContext pinned() { return ParseContext{[] { return 1700000000.0; }, [] { return std::string("u"); }}; }

EventPtr one_event(const char* json) {
  ParsedEvents parsed = parse_events(Json::parse(std::string("[") + json + "]"), pinned());
  REQUIRE(parsed.ok());
  REQUIRE(parsed.events.size() == 1);
  return parsed.events[0];
}

// What Rasa's publisher writes: json.dumps of {"sender_id": id, **event} (live) or
// {**event, "sender_id": id} (export), computed by the system Python from the event's JSON.
std::string python_body(const std::string& sender_id, const Event& event, BodyOrder order) {
  char tmpl[] = "/tmp/convo-pybody-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream(tmpl) << Json::array({sender_id, event.data()}).dump();
  }
  std::string merge = order == BodyOrder::Live ? "{'sender_id': sid, **ev}" : "{**ev, 'sender_id': sid}";
  std::string cmd = "/usr/bin/python3 -c \"import json,sys; sid, ev = json.load(open(sys.argv[1])); "
                    "sys.stdout.write(json.dumps(" + merge + "))\" " + tmpl;
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  fs::remove(tmpl);
  REQUIRE(status == 0);
  return out;
}

}  // namespace

TEST_CASE("broker_body: Rasa's byte layout, live and export order", "[broker_message]") {
  auto slot = one_event(R"({"event": "slot", "timestamp": 3.0, "name": "x", "value": [1, 2.5, "\u2713", null]})");
  // Written by hand from Python's json.dumps defaults: ", " and ": ", ASCII escapes, 3.0 stays 3.0.
  CHECK(broker_body("u\u00e9", *slot, BodyOrder::Live) ==
        R"({"sender_id": "u\u00e9", "event": "slot", "timestamp": 3.0, "name": "x", "value": [1, 2.5, "\u2713", null]})");
  CHECK(broker_body("u\u00e9", *slot, BodyOrder::Export) ==
        R"({"event": "slot", "timestamp": 3.0, "name": "x", "value": [1, 2.5, "\u2713", null], "sender_id": "u\u00e9"})");
  CHECK(broker_body("u", *slot) == broker_body("u", *slot, BodyOrder::Live));

  const char* events[] = {
      R"({"event": "user", "timestamp": 1e-7, "text": "h\"i\\ \n ✓ 😀", "parse_data": {"intent": {"name": "greet", "confidence": 0.1}, "entities": []}})",
      R"({"event": "action", "timestamp": 1700000000.123456, "name": "utter_x", "policy": "p", "confidence": 1})",
      R"({"event": "bot", "timestamp": 5, "text": "b", "data": {"elements": null}})",
      R"({"event": "session_started", "timestamp": 12345678901234.5})",
  };
  for (const char* json : events) {
    auto e = one_event(json);
    for (BodyOrder order : {BodyOrder::Live, BodyOrder::Export}) {
      INFO(json);
      CHECK(broker_body("conv \"1\"", *e, order) == python_body("conv \"1\"", *e, order));
    }
  }
}

TEST_CASE("classify_message: events of a conversation, or why not", "[broker_message]") {
  auto ctx = pinned();
  SECTION("a live or exported body is an event without sender_id") {
    for (const char* body : {R"({"sender_id": "s1", "event": "action", "timestamp": 2, "name": "action_listen"})",
                             R"({"event": "action", "timestamp": 2, "name": "action_listen", "sender_id": "s1"})"}) {
      ClassifiedMessage c = classify_message(body, ctx);
      REQUIRE(c.ok);
      CHECK(c.reason.empty());
      CHECK(c.sender_id == "s1");
      REQUIRE(c.event);
      CHECK_FALSE(c.event->data().contains("sender_id"));
      CHECK(c.event->data().dump() ==
            one_event(R"({"event": "action", "timestamp": 2, "name": "action_listen"})")->data().dump());
    }
  }
  SECTION("reasons") {
    auto reason = [&](const std::string& body) {
      ClassifiedMessage c = classify_message(body, ctx);
      CHECK_FALSE(c.ok);
      CHECK_FALSE(c.event);
      return c.reason;
    };
    CHECK(reason("{\"sender_id\": ").rfind("not JSON: ", 0) == 0);
    CHECK(reason("").rfind("not JSON: ", 0) == 0);
    CHECK(reason("[1, 2]").rfind("not a JSON object", 0) == 0);
    CHECK(reason(R"({"event": "action", "name": "a"})") == "no sender_id");
    CHECK(reason(R"({"sender_id": "", "event": "action", "name": "a"})") == "sender_id is empty, not a conversation id");
    std::string numeric = reason(R"({"sender_id": 12, "event": "action", "name": "a"})");
    CHECK(numeric.rfind("sender_id is ", 0) == 0);
    CHECK(numeric.find("not a conversation id") != std::string::npos);
    CHECK(reason(R"({"sender_id": "s", "event": "no_such_event"})").rfind("invalid event: ", 0) == 0);
    CHECK(reason(R"({"sender_id": "s"})").rfind("invalid event: ", 0) == 0);
  }
}

TEST_CASE("export_id_of reads Rasa's export header", "[broker_message]") {
  InboundMessage m;
  CHECK(export_id_of(m).empty());
  m.headers = {{"other", "x"}, {kExportHeader, "0123456789abcdef0123456789abcdef"}};
  CHECK(export_id_of(m) == "0123456789abcdef0123456789abcdef");
  CHECK(std::string(kExportHeader) == "rasa-export-process-id");
}
