#include <catch2/catch.hpp>

#include <sstream>

#include "convo/core/tracker_builder.hpp"
#include "convo/render/timeline.hpp"

using namespace convo;

namespace {

ParseContext fixed_context() {
  return ParseContext{[] { return 1700000000.0; }, [] { return std::string("uuid"); }};
}

std::unique_ptr<Tracker> build(const Json& events) {
  auto t = build_tracker("tl", events, nullptr, {}, fixed_context());
  REQUIRE(t.ok());
  return std::move(*t);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The timeline line of the event with this timestamp (its time column is unique).
std::string line_at(const std::string& text, const std::string& time) {
  for (const auto& l : lines_of(text))
    if (l.find(time) != std::string::npos) return l;
  return "";
}

const Json kEvents = Json::parse(R"([
  {"event": "action", "timestamp": 1600000000.0, "name": "action_listen"},
  {"event": "user", "timestamp": 1600000001.0, "text": "hola",
   "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}},
  {"event": "slot", "timestamp": 1600000002.0, "name": "city", "value": "Lima"},
  {"event": "rewind", "timestamp": 1600000003.0},
  {"event": "bot", "timestamp": 1600000004.0, "text": "¿qué tal?", "metadata": {"utter_action": "utter_x"}}
])");

}  // namespace

TEST_CASE("timeline marks the events that no longer shape the state") {
  auto tracker = build(kEvents);
  std::string text = render_timeline(*tracker, {}, Style{false});
  // rewind removes the user message, everything after it and the action before it.
  CHECK(line_at(text, "2020-09-13 12:26:40.000").rfind("~", 0) == 0);  // action_listen
  CHECK(line_at(text, "2020-09-13 12:26:41.000").rfind("~", 0) == 0);  // user
  CHECK(line_at(text, "2020-09-13 12:26:42.000").rfind("~", 0) == 0);  // slot
  CHECK(line_at(text, "2020-09-13 12:26:44.000").rfind("  ", 0) == 0);  // bot, after the rewind
  CHECK(line_at(text, "12:26:41.000").find("\"hola\"  intent=greet (0.9)") != std::string::npos);
  CHECK(line_at(text, "12:26:44.000").find("\"¿qué tal?\"  (utter_x)") != std::string::npos);
}

TEST_CASE("timeline lists slots, latest message and state after the events") {
  auto tracker = build(kEvents);
  std::string text = render_timeline(*tracker, {}, Style{false});
  auto slots = text.find("\nSlots\n");
  REQUIRE(slots != std::string::npos);
  // The rewound slot event still created the slot (no domain), but the replay set it back.
  CHECK(text.find("city", slots) != std::string::npos);
  CHECK(text.find("\"Lima\"", slots) == std::string::npos);
  CHECK(text.find("latest action    null") != std::string::npos);
  CHECK(text.find("paused           no") != std::string::npos);
}

TEST_CASE("timeline colours only when the style says so") {
  auto tracker = build(kEvents);
  CHECK(render_timeline(*tracker, {}, Style{false}).find('\x1b') == std::string::npos);
  CHECK(render_timeline(*tracker, {}, Style{true}).find("\x1b[") != std::string::npos);
}

TEST_CASE("timeline cuts long details to the width and keeps UTF-8 whole") {
  Json events = Json::array({{{"event", "bot"}, {"timestamp", 1.0}, {"text", std::string(300, 'x') + "é"}}});
  auto tracker = build(events);
  TimelineOptions options;
  options.width = 80;
  std::string line = line_at(render_timeline(*tracker, options, Style{false}), "1970-01-01");
  CHECK(line.find("…") != std::string::npos);
  CHECK(line.find(std::string(100, 'x')) == std::string::npos);
}

TEST_CASE("event actors") {
  Event e;
  e.type = EventType::User;
  CHECK(event_actor(e) == "user");
  e.type = EventType::Bot;
  CHECK(event_actor(e) == "bot");
  e.type = EventType::ActiveLoop;
  CHECK(event_actor(e) == "action");
  e.type = EventType::Restart;
  CHECK(event_actor(e) == "system");
}

TEST_CASE("state_json is current_state as compact text, for every verbosity") {
  auto tracker = build(kEvents);
  for (Verbosity v : {Verbosity::None, Verbosity::Applied, Verbosity::AfterRestart, Verbosity::All})
    CHECK(tracker->state_json(v) == dump_compact(tracker->current_state(v)));
  auto last = select_events(tracker->events_for(Verbosity::All), {"bot"}, 1);
  Json state = Json::parse(tracker->state_json(Verbosity::All, &last));
  REQUIRE(state["events"].size() == 1);
  CHECK(state["events"][0]["event"] == "bot");
}
