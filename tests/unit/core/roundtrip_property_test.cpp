// Property tests over seeded pseudo-random event lists (every event type, random field values,
// nulls, unicode, nested metadata). Deterministic: fixed seeds, no std distributions.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "convo/core/tracker_builder.hpp"

using convo::EventPtr;
using convo::Json;
using convo::ParseContext;
using convo::Tracker;
using convo::Verbosity;

namespace {

constexpr double kNow = 1700000000.25;
const Verbosity kVerbosities[] = {Verbosity::None, Verbosity::Applied, Verbosity::AfterRestart,
                                  Verbosity::All};

ParseContext fixed_context() {
  auto counter = std::make_shared<int>(0);
  return {[] { return kNow; }, [counter] { return "uuid-" + std::to_string(++*counter); }};
}

class EventGenerator {
 public:
  explicit EventGenerator(std::uint32_t seed) : rng_(seed) {}

  Json list() {
    Json events = Json::array();
    const std::uint32_t n = below(61);
    for (std::uint32_t i = 0; i < n; ++i) events.push_back(event());
    return events;
  }

 private:
  std::uint32_t below(std::uint32_t n) { return rng_() % n; }
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(static_cast<std::uint32_t>(v.size()))]; }

  std::string text() {
    static const std::vector<std::string> texts = {
        "", "hi", "/greet", "I want thai food", "héllo wörld", "日本語のテキスト", "😀 emoji 🎉",
        "quote \" and \\ backslash", "tab\tnew\nline", "Ωmega", "/inform{\"cuisine\": \"thai\"}"};
    return pick(texts);
  }
  Json number() {
    switch (below(4)) {
      case 0: return static_cast<std::int64_t>(below(2000)) - 1000;
      case 1: return static_cast<double>(rng_()) / 4096.0;
      case 2: return static_cast<std::int64_t>(rng_()) * 1000003;
      default: return static_cast<double>(below(1000)) + 0.5;
    }
  }
  Json scalar() {
    switch (below(5)) {
      case 0: return nullptr;
      case 1: return chance(50);
      case 2: return number();
      default: return text();
    }
  }
  Json value(int depth = 0) {
    if (depth >= 3 || chance(60)) return scalar();
    Json v = chance(50) ? Json::array() : Json::object();
    for (std::uint32_t i = 0, n = below(4); i < n; ++i) {
      if (v.is_array()) v.push_back(value(depth + 1));
      else v[pick(std::vector<std::string>{"k", "ключ", "ü", "a b", "0"}) + std::to_string(i)] = value(depth + 1);
    }
    return v;
  }
  Json entity() {
    Json e = {{"entity", pick(std::vector<std::string>{"city", "cuisine", "ü"})}, {"value", scalar()}};
    if (chance(30)) e["start"] = below(20);
    if (chance(20)) e["role"] = chance(50) ? Json() : Json("from");
    return e;
  }
  Json entities() {
    Json list = Json::array();
    for (std::uint32_t i = 0, n = below(3); i < n; ++i) list.push_back(entity());
    return list;
  }
  Json name(const std::vector<Json>& pool) { return pool[below(static_cast<std::uint32_t>(pool.size()))]; }

  // Puts a field with some probability, sometimes as null.
  void maybe(Json& e, const char* key, const Json& v, std::uint32_t percent = 70) {
    if (chance(percent)) e[key] = chance(10) ? Json() : v;
  }

  Json event() {
    static const std::vector<std::string> types = {
        "user", "user", "user", "action", "action", "action", "action", "slot", "slot", "bot",
        "user_featurization", "entities", "restart", "rewind", "undo", "reset_slots", "reminder",
        "cancel_reminder", "export", "followup", "pause", "resume", "agent", "active_loop", "active_loop",
        "form", "loop_interrupted", "form_validation", "action_execution_rejected", "session_started",
        "stack", "flow_started", "topic", "no_event", "null_event"};
    const std::string type = pick(types);
    Json e = Json::object();
    if (type == "no_event") e["name"] = "x";
    else e["event"] = type == "null_event" ? Json() : Json(type);

    switch (below(7)) {  // timestamps: missing and every falsy kind become now
      case 0: break;
      case 1: e["timestamp"] = pick(std::vector<Json>{Json(), 0, 0.0, false}); break;
      case 2: e["timestamp"] = 1600000000 + static_cast<std::int64_t>(below(100000)); break;
      default: e["timestamp"] = 1600000000.0 + static_cast<double>(below(100000000)) / 1000.0;
    }
    if (chance(30)) e["metadata"] = chance(30) ? pick(std::vector<Json>{Json(), Json::object(), "m", Json::array()}) : value(1);
    if (chance(5)) e["unknown_extra_key"] = value();

    const std::vector<Json> actions = {"action_listen", "action_listen", "f", "g", "utter_x", Json(), 7};
    const std::vector<Json> loops = {"f", "g", Json(), ""};
    if (type == "user") {
      Json pd = Json::object();
      if (chance(80)) pd["intent"] = chance(10) ? Json() : Json{{"name", text()}, {"confidence", number()}};
      if (chance(70)) pd["entities"] = chance(10) ? Json() : entities();
      if (chance(20)) pd["text"] = text();
      if (chance(20)) pd["intent_ranking"] = Json::array({{{"name", "a"}, {"confidence", 0.5}}});
      if (chance(1)) pd["intent"] = "not an object";  // refused by Rasa
      e["parse_data"] = pd;
      if (chance(1)) e.erase("parse_data");  // refused by Rasa
      maybe(e, "text", text(), 90);
      maybe(e, "input_channel", pick(std::vector<std::string>{"rest", "socketio", "ü"}), 50);
      maybe(e, "message_id", "m" + std::to_string(below(100)), 50);
    } else if (type == "action" || type == "action_execution_rejected") {
      maybe(e, "name", name(actions), 90);
      maybe(e, "policy", "policy_0_TEDPolicy", 40);
      maybe(e, "confidence", number(), 40);
      maybe(e, "action_text", text(), 10);
      maybe(e, "hide_rule_turn", chance(50), 20);
    } else if (type == "slot") {
      maybe(e, "name", pick(std::vector<Json>{"a", "b", "ü", Json(), 1, true}), 95);
      maybe(e, "value", value(), 90);
      if (chance(1)) e["name"] = Json::array({"unhashable"});  // refused by Rasa
    } else if (type == "bot" || type == "agent") {
      maybe(e, "text", text());
      maybe(e, "data", pick(std::vector<Json>{Json::object(), Json::array(), "", value(1)}), 50);
    } else if (type == "user_featurization") {
      maybe(e, "use_text_for_featurization", chance(50));
    } else if (type == "entities") {
      e["entities"] = entities();
      if (chance(3)) e["entities"] = pick(std::vector<Json>{Json(), "ab"});  // null may be refused
    } else if (type == "reminder") {
      e["date_time"] = pick(std::vector<std::string>{"2020-09-13T12:30:00Z", "2021-01-01 12:00", "2020-09-13",
                                                     "2021-01-01T12:00:00.123456-05:30"});
      maybe(e, "intent", "EXTERNAL_x");
      maybe(e, "name", pick(std::vector<std::string>{"r1", "", "日本"}), 50);
      maybe(e, "entities", chance(50) ? entities() : Json{{"item", "milk"}}, 50);
      maybe(e, "kill_on_user_msg", chance(50), 30);
    } else if (type == "cancel_reminder") {
      maybe(e, "name", "r1");
      maybe(e, "intent", "EXTERNAL_x");
    } else if (type == "export") {
      maybe(e, "path", "stories.yml");
    } else if (type == "followup") {
      maybe(e, "name", name(actions), 90);
    } else if (type == "active_loop" || type == "form") {
      maybe(e, "name", name(loops), 90);
    } else if (type == "loop_interrupted") {
      maybe(e, "is_interrupted", chance(50), 80);
    } else if (type == "form_validation") {
      maybe(e, "validate", chance(50), 80);
    } else if (type == "stack") {
      e["update"] = R"([{"op": "add", "path": "/0", "value": {"type": "flow"}}])";
    } else if (type == "flow_started") {
      e["flow_id"] = text();
    }
    return e;
  }

  std::mt19937 rng_;
};

std::string serialised(const std::vector<EventPtr>& events) { return convo::events_to_json(events).dump(); }

// `part` appears in `whole` in the same order, element by element the very same events.
bool is_subsequence(const std::vector<EventPtr>& part, const std::deque<EventPtr>& whole) {
  std::size_t i = 0;
  for (const auto& e : whole)
    if (i < part.size() && part[i].get() == e.get()) ++i;
  return i == part.size();
}

bool is_suffix(const std::vector<EventPtr>& part, const std::deque<EventPtr>& whole) {
  if (part.size() > whole.size()) return false;
  const std::size_t offset = whole.size() - part.size();
  for (std::size_t i = 0; i < part.size(); ++i)
    if (part[i].get() != whole[offset + i].get()) return false;
  return true;
}

constexpr int kLists = 500;
const std::uint32_t kSeeds[] = {20210813u, 2808u, 12u, 777u, 4242u};

}  // namespace

TEST_CASE("property: re-serialising parsed events is idempotent", "[property][roundtrip]") {
  int parsed_ok = 0;
  for (std::uint32_t seed : kSeeds) {
    EventGenerator gen(seed);
    for (int i = 0; i < kLists / 5; ++i) {
      const Json input = gen.list();
      auto first = convo::parse_events(input, fixed_context());
      if (!first.ok()) continue;
      ++parsed_ok;
      const std::string once = serialised(first.events);
      auto second = convo::parse_events(Json::parse(once), fixed_context());
      INFO("seed " << seed << " list " << i << ": " << input.dump());
      REQUIRE(second.ok());
      CHECK(second.warnings.empty());  // nothing serialised is skipped on the way back
      REQUIRE(second.events.size() == first.events.size());
      CHECK(serialised(second.events) == once);
    }
  }
  CHECK(parsed_ok >= kLists * 8 / 10);
}

TEST_CASE("property: a tracker rebuilt from its ALL events has the same state", "[property][roundtrip]") {
  int built = 0;
  std::map<std::string, int> seen;  // event types among the lists that built
  for (std::uint32_t seed : kSeeds) {
    EventGenerator gen(seed);
    for (int i = 0; i < kLists / 5; ++i) {
      const Json input = gen.list();
      auto original = convo::build_tracker("prop", input, nullptr, {}, fixed_context());
      if (!original) continue;  // Rasa refuses this list; nothing to compare
      ++built;
      const Tracker& t = **original;
      for (const auto& e : t.events()) ++seen[std::string(e->name())];

      INFO("seed " << seed << " list " << i << ": " << input.dump());
      const Json all_events = t.current_state(Verbosity::All)["events"];
      auto rebuilt = convo::build_tracker("prop", all_events, nullptr, {}, fixed_context());
      REQUIRE(rebuilt.ok());
      for (Verbosity v : kVerbosities) {
        INFO("verbosity " << convo::verbosity_name(v));
        CHECK((*rebuilt)->current_state(v).dump() == t.current_state(v).dump());
      }
    }
  }
  INFO(built << " of " << kLists << " lists built");
  REQUIRE(built >= kLists * 8 / 10);
  // Every type the generator makes showed up in lists that were actually compared.
  for (const char* type : {"user", "action", "slot", "bot", "user_featurization", "entities", "restart", "rewind",
                           "undo", "reset_slots", "reminder", "cancel_reminder", "export", "followup", "pause",
                           "resume", "agent", "active_loop", "loop_interrupted", "action_execution_rejected",
                           "session_started", "stack", "flow_started"}) {
    INFO("type " << type);
    CHECK(seen[type] >= 20);
  }
}

TEST_CASE("property: APPLIED is a subsequence and AFTER_RESTART a suffix of ALL", "[property][applied]") {
  int built = 0, non_trivial = 0;
  for (std::uint32_t seed : kSeeds) {
    EventGenerator gen(seed + 1);
    for (int i = 0; i < kLists / 5; ++i) {
      const Json input = gen.list();
      auto tracker = convo::build_tracker("prop", input, nullptr, {}, fixed_context());
      if (!tracker) continue;
      ++built;
      const Tracker& t = **tracker;
      INFO("seed " << seed + 1 << " list " << i << ": " << input.dump());
      const auto applied = t.applied_events();
      const auto after_restart = t.events_after_latest_restart();
      CHECK(is_subsequence(applied, t.events()));
      CHECK(is_suffix(after_restart, t.events()));
      CHECK(is_subsequence(applied, std::deque<EventPtr>(after_restart.begin(), after_restart.end())));
      CHECK(t.events_for(Verbosity::All).size() == t.events().size());
      if (applied.size() < after_restart.size() && !after_restart.empty()) ++non_trivial;
    }
  }
  REQUIRE(built >= kLists * 8 / 10);
  CHECK(non_trivial >= kLists * 4 / 10);  // the lists really exercise rewinds, undos, resets and collapses
}
