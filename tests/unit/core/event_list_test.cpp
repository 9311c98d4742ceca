// Event lists as Rasa's deserialise_events reads them (spec §4.1, §4.2): which items become
// events, which are skipped (with a warning), and which make the whole list unloadable.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "convo/core/event_list.hpp"

using convo::EventType;
using convo::Json;
using convo::ParseContext;
using convo::ParsedEvents;

namespace {

constexpr double kNow = 1700000000.5;

ParseContext fixed_context() {
  auto counter = std::make_shared<int>(0);
  return {[] { return kNow; }, [counter] { return "uuid-" + std::to_string(++*counter); }};
}

ParsedEvents parse(const std::string& json_text) {
  return convo::parse_events(Json::parse(json_text), fixed_context());
}

std::vector<std::string> names_of(const ParsedEvents& p) {
  std::vector<std::string> out;
  for (const auto& e : p.events) out.emplace_back(e->name());
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A list with exactly one problem line, which must start with `prefix`.
void require_one_line(const std::vector<std::string>& lines, const std::string& prefix) {
  REQUIRE(lines.size() == 1);
  INFO("line: " << lines[0]);
  CHECK(starts_with(lines[0], prefix));
}

}  // namespace

TEST_CASE("event lists: every event object becomes an event, in order", "[event_list]") {
  auto p = parse(R"([{"event": "action", "name": "action_listen"},
                     {"event": "user", "text": "hi", "parse_data": {}},
                     {"event": "slot", "name": "a", "value": 1}])");
  CHECK(p.ok());
  CHECK(p.warnings.empty());
  CHECK(names_of(p) == std::vector<std::string>{"action", "user", "slot"});
  CHECK(p.source_index == std::vector<std::size_t>{0, 1, 2});
  CHECK(p.events[1]->type == EventType::User);
}

TEST_CASE("event lists: an empty list is fine", "[event_list]") {
  auto p = parse("[]");
  CHECK(p.ok());
  CHECK(p.events.empty());
  CHECK(p.warnings.empty());
}

TEST_CASE("event lists: objects without an event key are skipped with a warning", "[event_list]") {
  auto p = parse(R"([{"event": "pause"}, {"name": "x", "timestamp": 1}, {"event": "resume"}])");
  CHECK(p.ok());
  CHECK(names_of(p) == std::vector<std::string>{"pause", "resume"});
  CHECK(p.source_index == std::vector<std::size_t>{0, 2});  // positions in the input
  require_one_line(p.warnings, "events[1]");
}

TEST_CASE("event lists: \"event\": null and the legacy topic are skipped with a warning",
          "[event_list]") {
  auto p = parse(R"([{"event": null}, {"event": "topic", "topic": "t"}, {"event": "restart"}])");
  CHECK(p.ok());
  CHECK(names_of(p) == std::vector<std::string>{"restart"});
  CHECK(p.source_index == std::vector<std::size_t>{2});
  REQUIRE(p.warnings.size() == 2);
  CHECK(starts_with(p.warnings[0], "events[0]"));
  CHECK(starts_with(p.warnings[1], "events[1]"));
}

TEST_CASE("event lists: numbers, null and booleans are errors (the membership test raises)",
          "[event_list]") {
  for (const char* item : {"5", "0", "2.5", "null", "true", "false"}) {
    INFO("item " << item);
    auto p = parse(std::string(R"([{"event": "pause"}, )") + item + "]");
    CHECK_FALSE(p.ok());
    require_one_line(p.errors, "events[1]");
  }
}

TEST_CASE("event lists: strings and arrays containing \"event\" are errors", "[event_list]") {
  for (const char* item : {R"("event")", R"("prevent it")", R"("events")", R"(["x", "event"])",
                           R"(["event"])"}) {
    INFO("item " << item);
    auto p = parse(std::string("[") + item + "]");
    CHECK_FALSE(p.ok());
    CHECK(p.events.empty());
    require_one_line(p.errors, "events[0]");
  }
}

TEST_CASE("event lists: other strings and arrays are skipped", "[event_list]") {
  for (const char* item : {R"("")", R"("hello")", R"("EVENT")", "[]", R"(["events"])",
                           R"([["event"]])", R"([{"event": "user"}])"}) {
    INFO("item " << item);
    auto p = parse(std::string("[") + item + R"(, {"event": "pause"}])");
    CHECK(p.ok());
    CHECK(names_of(p) == std::vector<std::string>{"pause"});
    CHECK(p.source_index == std::vector<std::size_t>{1});
  }
}

TEST_CASE("event lists: unknown event names are errors naming the item", "[event_list]") {
  auto p = parse(R"([{"event": "pause"}, {"event": "USER"}, {"event": 5}, {"event": ""}])");
  CHECK_FALSE(p.ok());
  REQUIRE(p.errors.size() == 3);  // every problem is collected
  CHECK(starts_with(p.errors[0], "events[1]"));
  CHECK_THAT(p.errors[0], Catch::Contains("USER"));
  CHECK(starts_with(p.errors[1], "events[2]"));
  CHECK_THAT(p.errors[1], Catch::Contains("5"));
  CHECK(starts_with(p.errors[2], "events[3]"));
  CHECK(names_of(p) == std::vector<std::string>{"pause"});
}

TEST_CASE("event lists: event parse errors are prefixed with the item label", "[event_list]") {
  auto p = parse(R"([{"event": "action"}, {"event": "user", "text": "hi"},
                     {"event": "reminder", "intent": "x"}])");
  CHECK_FALSE(p.ok());
  REQUIRE(p.errors.size() == 2);
  CHECK(starts_with(p.errors[0], "events[1] (user): "));
  CHECK_THAT(p.errors[0], Catch::Contains("parse_data"));
  CHECK(starts_with(p.errors[1], "events[2] (reminder): "));
  CHECK_THAT(p.errors[1], Catch::Contains("date_time"));
  CHECK(names_of(p) == std::vector<std::string>{"action"});
}

TEST_CASE("event lists: an input that is not an array is an error", "[event_list]") {
  for (const char* input : {R"({"events": []})", R"({"event": "pause"})", "null", "3", R"("[]")"}) {
    INFO("input " << input);
    auto p = parse(input);
    CHECK_FALSE(p.ok());
    CHECK(p.events.empty());
    CHECK(p.errors.size() == 1);
  }
}

TEST_CASE("item_label names the index and, for objects with a string event, the type",
          "[event_list]") {
  CHECK(convo::item_label(3, Json::parse(R"({"event": "user"})")) == "events[3] (user)");
  CHECK(convo::item_label(0, Json::parse(R"({"event": 5})")) == "events[0]");
  CHECK(convo::item_label(12, Json::parse(R"({"name": "x"})")) == "events[12]");
  CHECK(convo::item_label(1, Json::parse("7")) == "events[1]");
}

TEST_CASE("events_to_json serialises each event's data, in order", "[event_list]") {
  auto p = parse(R"([{"event": "slot", "timestamp": 2, "name": "a", "value": [1]},
                     {"event": "form", "timestamp": 3, "name": "f"},
                     {"event": "cancel_reminder", "timestamp": 4, "name": "r"}])");
  REQUIRE(p.ok());
  CHECK(convo::events_to_json(p.events).dump() ==
        Json::parse(R"([{"event": "slot", "timestamp": 2, "name": "a", "value": [1]},
                        {"event": "active_loop", "timestamp": 3, "name": "f"},
                        {"event": "cancel_reminder", "timestamp": 4}])")
            .dump());
  CHECK(convo::events_to_json({}).dump() == "[]");
}

TEST_CASE("event lists: falsy timestamps are stamped with the context's now", "[event_list]") {
  auto p = parse(R"([{"event": "pause"}, {"event": "resume", "timestamp": 0}, {"event": "undo", "timestamp": 7}])");
  REQUIRE(p.events.size() == 3);
  CHECK(p.events[0]->timestamp() == kNow);
  CHECK(p.events[1]->timestamp() == kNow);
  CHECK(p.events[2]->timestamp() == 7);
}
