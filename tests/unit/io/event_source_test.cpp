// Event input shapes (lib/include/convo/io/event_source.hpp): a JSON array, a tracker object,
// a single event object, NDJSON; and how syntax errors are located.
#include <catch2/catch.hpp>

#include <string>

#include "convo/io/event_source.hpp"

using convo::EventInput;
using convo::Json;

namespace {

EventInput input_ok(const std::string& text) {
  INFO("input: " << text);
  auto r = convo::parse_event_input(text, "events.json");
  if (!r) FAIL("unexpected error: " << r.error().message);
  return std::move(r.value());
}

std::string input_error(const std::string& text) {
  INFO("input: " << text);
  auto r = convo::parse_event_input(text, "events.json");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

const char* const kPause = R"({"event": "pause", "timestamp": 1})";
const char* const kResume = R"({"event": "resume", "timestamp": 2})";

std::string events_of(const EventInput& in) { return in.events.dump(); }
std::string both() { return Json::array({Json::parse(kPause), Json::parse(kResume)}).dump(); }

}  // namespace

TEST_CASE("event input: a JSON array is the event list", "[event_source]") {
  auto in = input_ok(std::string("[") + kPause + ",\n " + kResume + "]");
  CHECK(in.format == "array");
  CHECK(events_of(in) == both());
  CHECK_FALSE(in.sender_id.has_value());
  CHECK(input_ok("  []  \n").events.dump() == "[]");
  // Items are not parsed here: anything goes in, unchanged.
  CHECK(input_ok(R"([1, "x", {"no": "event"}])").events.dump() == R"([1,"x",{"no":"event"}])");
}

TEST_CASE("event input: a tracker object gives its events and sender_id", "[event_source]") {
  auto in = input_ok(std::string(R"({"sender_id": "user-42", "slots": {}, "events": [)") + kPause + "," + kResume +
                     R"(], "paused": false})");
  CHECK(in.format == "tracker");
  CHECK(events_of(in) == both());
  REQUIRE(in.sender_id.has_value());
  CHECK(*in.sender_id == "user-42");

  SECTION("pretty-printed over many lines") {
    auto pretty = input_ok("{\n  \"sender_id\": \"x\",\n  \"events\": [\n    " + std::string(kPause) + "\n  ]\n}\n");
    CHECK(pretty.format == "tracker");
    CHECK(pretty.sender_id == std::optional<std::string>("x"));
    CHECK(pretty.events.size() == 1);
  }
  SECTION("without a (string) sender_id there is none") {
    CHECK_FALSE(input_ok(R"({"events": []})").sender_id.has_value());
    CHECK_FALSE(input_ok(R"({"sender_id": 5, "events": []})").sender_id.has_value());
  }
  SECTION("events that are not an array are an error") {
    CHECK_THAT(input_error(R"({"sender_id": "a", "events": {"event": "pause"}})"), Catch::StartsWith("events.json"));
  }
}

TEST_CASE("event input: a single event object becomes a one-event list", "[event_source]") {
  auto in = input_ok(kPause);
  CHECK(in.format == "event");
  CHECK(events_of(in) == Json::array({Json::parse(kPause)}).dump());
  CHECK_FALSE(in.sender_id.has_value());
  CHECK(input_ok(std::string(kPause) + "\n\n").format == "event");  // trailing blank lines
}

TEST_CASE("event input: a pretty-printed single object is not NDJSON", "[event_source]") {
  const std::string pretty = R"({
  "event": "user",
  "timestamp": 1600000002.0,
  "text": "hi",
  "parse_data": {"intent": {"name": "greet"}, "entities": []}
}
)";
  auto in = input_ok(pretty);
  CHECK(in.format == "event");
  REQUIRE(in.events.size() == 1);
  CHECK(in.events[0]["text"] == "hi");

  // Even when a later line is a complete JSON object by itself.
  auto nested = input_ok("{\"event\": \"slot\", \"name\": \"a\", \"value\":\n{\"b\": 1}\n}\n");
  CHECK(nested.format == "event");
  CHECK(nested.events[0]["value"]["b"] == 1);
}

TEST_CASE("event input: NDJSON, one event per line, blank lines allowed", "[event_source]") {
  auto in = input_ok(std::string(kPause) + "\n" + kResume + "\n");
  CHECK(in.format == "ndjson");
  CHECK(events_of(in) == both());
  CHECK_FALSE(in.sender_id.has_value());

  auto blanks = input_ok(std::string("\n") + kPause + "\n\n   \n" + kResume);  // no final newline
  CHECK(blanks.format == "ndjson");
  CHECK(events_of(blanks) == both());

  auto crlf = input_ok(std::string(kPause) + "\r\n" + kResume + "\r\n");
  CHECK(crlf.format == "ndjson");
  CHECK(events_of(crlf) == both());
}

TEST_CASE("event input: empty input is an error", "[event_source]") {
  for (const char* empty : {"", "   ", "\n\n", " \t\r\n"}) {
    INFO("input '" << empty << "'");
    auto r = convo::parse_event_input(empty, "in.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("in.json"));
  }
}

TEST_CASE("event input: JSON that is not events is an error", "[event_source]") {
  for (const char* doc : {"42", R"("events")", "null", "true"}) {
    CHECK_THAT(input_error(doc), Catch::StartsWith("events.json"));
  }
}

TEST_CASE("event input: syntax errors are \"<source>:<line>:<col>: invalid JSON\"", "[event_source]") {
  CHECK_THAT(input_error(R"({"event": "pause",})"), Catch::StartsWith("events.json:1:19: invalid JSON"));
  CHECK_THAT(input_error("[\n  {\"event\": }\n]"), Catch::StartsWith("events.json:2:13: invalid JSON"));
  CHECK_THAT(input_error("[\n  " + std::string(kPause) + ",\n  " + kResume + ",\n  x\n]"),
             Catch::StartsWith("events.json:4:3: invalid JSON"));
  CHECK_THAT(input_error(R"([{"event": "pause")"), Catch::StartsWith("events.json:1:") && Catch::Contains("invalid JSON"));

  SECTION("NDJSON: the line is the line in the whole input") {
    CHECK_THAT(input_error(std::string(kPause) + "\n\n{\"event\": oops}\n" + kResume),
               Catch::StartsWith("events.json:3:11: invalid JSON"));
  }
}

TEST_CASE("parse_json_document: one document, errors located", "[event_source]") {
  auto ok = convo::parse_json_document(R"({"b": 1, "a": [true]})", "doc.json");
  REQUIRE(ok.ok());
  CHECK(ok->dump() == R"({"b":1,"a":[true]})");  // key order kept
  auto bad = convo::parse_json_document("{\n\n  \"a\" 1}", "doc.json");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::StartsWith("doc.json:3:7: invalid JSON: "));
  auto two = convo::parse_json_document("[1]\n[2]", "doc.json");
  REQUIRE_FALSE(two.ok());
  CHECK_THAT(two.error().message, Catch::StartsWith("doc.json:2:1: invalid JSON"));
}

TEST_CASE("an array can come back decoded in one pass; errors and other shapes as before") {
  const convo::ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  // Items in Rasa's form, one not (a default missing), one skipped, one refused.
  const std::string array = std::string("[") + kPause + ",\n " + kResume + R"(, {"event": "action", "name": "a"}, 3, {"text": "x"}, "event"])";
  auto decoded = convo::parse_event_input(array, "events.json", &ctx);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->decoded);
  CHECK(decoded->format == "array");
  CHECK(decoded->size() == 6);
  // The same events and problems as parsing the array's DOM.
  const convo::ParsedEvents want = convo::parse_events(convo::Json::parse(array), ctx);
  const convo::ParsedEvents& got = *decoded->decoded;
  REQUIRE(got.events.size() == want.events.size());
  for (std::size_t i = 0; i < got.events.size(); ++i) {
    std::string a, b;
    got.events[i]->append_compact(a);
    want.events[i]->append_compact(b);
    CHECK(a == b);
  }
  CHECK(got.source_index == want.source_index);
  CHECK(got.warnings == want.warnings);
  CHECK(got.errors == want.errors);
  CHECK(got.items == want.items);
  // A syntax error is still located by line and column, wherever it is.
  for (const std::string& broken : {"[\n" + std::string(kPause) + ",\n  {\"event\": }]", "[\n" + std::string(kPause) + ",\n  [1 2]]",
                                   "[\n" + std::string(kPause) + ",\n  1.]", "[" + std::string(kPause) + "\n\n"}) {
    INFO(broken);
    auto failed = convo::parse_event_input(broken, "events.json", &ctx);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message.rfind("events.json:3:", 0) == 0);
  }
  // Other shapes stay values.
  auto tracker = convo::parse_event_input(std::string(R"({"sender_id": "s", "events": [)") + kPause + "]}", "t.json", &ctx);
  REQUIRE(tracker.ok());
  CHECK_FALSE(tracker->decoded);
  CHECK(tracker->size() == 1);
}
