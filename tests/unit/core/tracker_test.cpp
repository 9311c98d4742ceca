// The tracker, rule by rule (spec §5, §8, §9, §15.4–§15.9), sequential semantics.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "convo/core/tracker_builder.hpp"

using convo::BuildOptions;
using convo::Domain;
using convo::Json;
using convo::ParseContext;
using convo::Tracker;
using convo::Verbosity;

namespace {

constexpr double kNow = 1700000000.5;

ParseContext fixed_context() {
  auto counter = std::make_shared<int>(0);
  return {[] { return kNow; }, [counter] { return "uuid-" + std::to_string(++*counter); }};
}

std::shared_ptr<const Domain> domain(const std::string& dict) {
  auto d = convo::domain_from_json(Json::parse(dict));
  if (!d) FAIL("domain did not load: " << d.error().message);
  return std::make_shared<const Domain>(std::move(d.value()));
}

// --- event builders ---
Json ev(const char* type, Json fields = Json::object()) {
  Json e = {{"event", type}};
  for (auto& [k, v] : fields.items()) e[k] = v;
  return e;
}
Json action(Json name, double ts = 0) { return ev("action", {{"name", name}, {"timestamp", ts}}); }
Json listen(double ts = 0) { return action("action_listen", ts); }
Json slot(Json name, Json value, double ts = 0) {
  return ev("slot", {{"name", name}, {"value", value}, {"timestamp", ts}});
}
Json user(const std::string& text, Json entities = Json::array(), Json extra = Json::object()) {
  Json e = ev("user", {{"text", text},
                       {"parse_data", {{"intent", {{"name", text}}}, {"entities", entities}}}});
  for (auto& [k, v] : extra.items()) e[k] = v;
  return e;
}
Json entity(const char* type, Json value) { return {{"entity", type}, {"value", value}}; }

std::unique_ptr<Tracker> build(const Json& events, std::shared_ptr<const Domain> d = nullptr,
                               BuildOptions options = {}) {
  auto r = convo::build_tracker("s1", events, std::move(d), options, fixed_context());
  if (!r) FAIL("build failed: " << r.error().message);
  return std::move(r.value());
}

std::string build_error(const Json& events, std::shared_ptr<const Domain> d = nullptr) {
  auto r = convo::build_tracker("s1", events, std::move(d), {}, fixed_context());
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

Json state(const Tracker& t, Verbosity v = Verbosity::None) { return t.current_state(v); }

// Timestamps of the events a verbosity selects (tests use timestamps as event ids).
std::vector<double> ids(const Tracker& t, Verbosity v) {
  std::vector<double> out;
  for (const auto& e : t.events_for(v)) out.push_back(e->timestamp().get<double>());
  return out;
}

const char* const kEmptyMessage =
    R"({"intent": {}, "entities": [], "text": null, "message_id": null, "metadata": {}})";

std::string want(const std::string& text) { return Json::parse(text).dump(); }

}  // namespace

TEST_CASE("fresh tracker without a domain (§8.4)", "[tracker]") {
  Tracker t("fresh");
  const std::string tail = R"(, "latest_input_channel": null, "active_loop": {}, "latest_action": {},
      "latest_action_name": null})";
  const std::string head = std::string(R"({"sender_id": "fresh", "slots": {}, "latest_message": )") +
                           kEmptyMessage +
                           R"(, "latest_event_time": null, "followup_action": "action_listen", "paused": false)";
  CHECK(state(t, Verbosity::All).dump() == want(head + R"(, "events": [])" + tail));
  CHECK(state(t, Verbosity::Applied).dump() == want(head + R"(, "events": [])" + tail));
  CHECK(state(t, Verbosity::AfterRestart).dump() == want(head + R"(, "events": [])" + tail));
  CHECK(state(t, Verbosity::None).dump() == want(head + R"(, "events": null)" + tail));
}

TEST_CASE("fresh tracker with domain slots, in domain order plus session_started_metadata", "[tracker][slots]") {
  auto d = domain(R"({"slots": {"a": {"type": "text", "initial_value": "x"}, "l": {"type": "list"},
                                "c": {"type": "categorical", "values": ["p", "q"]}}})");
  Tracker t("fresh", d);
  CHECK(state(t, Verbosity::All).dump() ==
        want(std::string(R"({"sender_id": "fresh",
      "slots": {"a": "x", "l": null, "c": null, "session_started_metadata": null},
      "latest_message": )") + kEmptyMessage + R"(, "latest_event_time": null,
      "followup_action": "action_listen", "paused": false, "events": [], "latest_input_channel": null,
      "active_loop": {}, "latest_action": {}, "latest_action_name": null})"));
}

TEST_CASE("list slots wrap truthy non-lists, store falsy values and lists as they are", "[tracker][slots]") {
  auto d = domain(R"({"slots": {"l": {"type": "list"}, "i": {"type": "list", "initial_value": "v"},
                                "t": {"type": "text"}}})");
  CHECK(state(Tracker("s", d))["slots"]["i"].dump() == R"(["v"])");  // wrapped from the start
  auto value_after = [&](Json v) { return state(*build(Json::array({slot("l", v)}), d))["slots"]["l"].dump(); };
  CHECK(value_after("single") == R"(["single"])");
  CHECK(value_after({{"a", 1}}) == R"([{"a":1}])");
  CHECK(value_after(5) == "[5]");
  CHECK(value_after(true) == "[true]");
  CHECK(value_after(Json::array({"x", "y"})) == R"(["x","y"])");
  CHECK(value_after("") == R"("")");
  CHECK(value_after(0) == "0");
  CHECK(value_after(Json::array()) == "[]");
  CHECK(value_after(nullptr) == "null");
  // Not list slots: stored unconverted; the event keeps the raw value.
  auto t = build(Json::array({slot("t", 99), slot("l", "raw")}), d);
  CHECK(state(*t)["slots"]["t"] == 99);
  CHECK(state(*t, Verbosity::All)["events"][1]["value"] == "raw");
}

TEST_CASE("unknown slot names: ignored with a domain, created without one (§9.5)", "[tracker][slots]") {
  auto d = domain(R"({"slots": {"a": {"type": "text"}}})");
  auto with_domain = build(Json::array({slot("ghost", 1), slot("a", "v")}), d);
  CHECK(state(*with_domain)["slots"].dump() == R"({"a":"v","session_started_metadata":null})");
  CHECK(state(*with_domain, Verbosity::All)["events"].size() == 2);  // the event stays

  auto without = build(Json::array({slot("z", 1), slot("a", 2), slot("z", 3), slot(nullptr, "n")}));
  CHECK(state(*without)["slots"].dump() == R"({"z":3,"a":2,"null":"n"})");  // creation order

  SECTION("a missing name is the null name") {
    auto t = build(Json::array({ev("slot", {{"value", 4}})}));
    CHECK(state(*t)["slots"].dump() == R"({"null":4})");
  }
  SECTION("an array or object name cannot be a key: the build fails, naming the item") {
    CHECK_THAT(build_error(Json::array({slot("ok", 1), slot(Json::array({1}), 2)})),
               Catch::StartsWith("events[1]"));
    CHECK_THAT(build_error(Json::array({slot(Json::object({{"k", 1}}), 2)})), Catch::StartsWith("events[0]"));
    CHECK_FALSE(convo::build_tracker("s", Json::array({slot(Json::array({1}), 2)}), d, {}, fixed_context()).ok());
  }
}

TEST_CASE("reset_slots, restart and session_started restore initial values (§9.2)", "[tracker][slots]") {
  auto d = domain(R"({"slots": {"a": {"type": "text", "initial_value": "x"}, "b": {"type": "text"},
                                "l": {"type": "list", "initial_value": "w"}}})");
  for (const char* reset : {"reset_slots", "restart", "session_started"}) {
    INFO(reset);
    auto t = build(Json::array({slot("a", "y"), slot("b", "z"), slot("l", Json::array({1})), ev(reset)}), d);
    CHECK(state(*t)["slots"].dump() == R"({"a":"x","b":null,"l":["w"],"session_started_metadata":null})");
    auto no_domain = build(Json::array({slot("q", 1), ev(reset)}));  // null, key kept
    CHECK(state(*no_domain)["slots"].dump() == R"({"q":null})");
  }
}

TEST_CASE("followup_action life cycle (§15 item 21)", "[tracker][followup]") {
  auto followup_after = [](Json events) { return state(*build(events))["followup_action"]; };
  CHECK(followup_after(Json::array()) == "action_listen");
  CHECK(followup_after(Json::array({ev("followup", {{"name", "action_x"}})})) == "action_x");
  CHECK(followup_after(Json::array({ev("followup")})).is_null());
  CHECK(followup_after(Json::array({ev("followup", {{"name", "f"}}), user("hi")})).is_null());
  CHECK(followup_after(Json::array({ev("followup", {{"name", "f"}}), listen()})).is_null());
  CHECK(followup_after(Json::array({user("hi"), ev("followup", {{"name", "f"}})})) == "f");
  CHECK(followup_after(Json::array({listen(), ev("restart")})) == "action_session_start");
  CHECK(followup_after(Json::array({listen(), ev("restart"), ev("session_started")})) == "action_listen");
  // An undo right after a restart loses the pending session start.
  CHECK(followup_after(Json::array({listen(), ev("restart"), ev("undo")})) == "action_listen");
  // rewind: reset to action_listen, then the replay of the applied events sets it again.
  CHECK(followup_after(Json::array({ev("followup", {{"name", "f"}}), listen(), user("u"), ev("rewind")})) == "f");
}

TEST_CASE("latest_input_channel: the last user event of all stored events", "[tracker]") {
  auto channel = [](Json events) { return state(*build(events))["latest_input_channel"]; };
  CHECK(channel(Json::array({listen(), user("a", Json::array(), {{"input_channel", "rest"}})})) == "rest");
  const Json two = Json::array({listen(), user("a", Json::array(), {{"input_channel", "one"}}), listen(),
                                user("b", Json::array(), {{"input_channel", "two"}})});
  Json rewound = two, restarted = two;
  rewound.push_back(ev("rewind"));
  restarted.push_back(ev("restart"));
  CHECK(channel(rewound) == "two");  // the reverted message still counts
  CHECK(channel(restarted) == "two");
  Json later_null = two;
  later_null.push_back(user("c"));
  CHECK(channel(later_null).is_null());  // the last user event, even without a channel
}

TEST_CASE("latest_event_time is the last element's timestamp, not the largest", "[tracker]") {
  auto t = build(Json::array({ev("pause", {{"timestamp", 5}}), ev("pause", {{"timestamp", 9}}),
                              ev("pause", {{"timestamp", 3}})}));
  CHECK(state(*t)["latest_event_time"].dump() == "3");
  auto stamped = build(Json::array({ev("pause")}));
  CHECK(state(*stamped)["latest_event_time"] == kNow);
}

TEST_CASE("pause and resume; events still apply while paused", "[tracker]") {
  CHECK(state(*build(Json::array({ev("pause")})))["paused"] == true);
  CHECK(state(*build(Json::array({ev("pause"), ev("resume")})))["paused"] == false);
  auto paused = build(Json::array({ev("pause"), listen(), user("hello")}));
  CHECK(paused->paused());
  CHECK(state(*paused)["latest_message"]["text"] == "hello");
  CHECK(state(*build(Json::array({ev("pause"), ev("restart")})))["paused"] == false);
  CHECK(state(*build(Json::array({ev("pause"), ev("session_started")})))["paused"] == false);
}

TEST_CASE("active_loop: activation, flags, deactivation (§3.11, §3.13–§3.15)", "[tracker][loop]") {
  auto loop_after = [](Json events) { return state(*build(events))["active_loop"].dump(); };
  const Json trigger = user("/request", Json::array({entity("e", 1)}));
  const std::string trigger_pd = R"({"intent": {"name": "/request"}, "entities": [{"entity": "e", "value": 1}],
      "text": "/request", "message_id": null, "metadata": {}})";
  const Json active = Json::array({listen(), trigger, action("f"), ev("active_loop", {{"name", "f"}})});
  auto plus = [&](std::initializer_list<Json> more) {
    Json all = active;
    for (const auto& e : more) all.push_back(e);
    return all;
  };
  auto loop = [&](const char* flags) {
    return want(std::string(R"({"name": "f", )") + flags + R"(, "trigger_message": )" + trigger_pd + "}");
  };
  CHECK(loop_after(active) == loop(R"("is_interrupted": false, "rejected": false)"));
  CHECK(loop_after(plus({ev("loop_interrupted", {{"is_interrupted", true}})})) ==
        loop(R"("is_interrupted": true, "rejected": false)"));
  CHECK(loop_after(plus({ev("action_execution_rejected", {{"name", "f"}})})) ==
        loop(R"("is_interrupted": false, "rejected": true)"));
  // Any action resets is_interrupted; only the loop's own action resets rejected.
  CHECK(loop_after(plus({ev("action_execution_rejected", {{"name", "f"}}), ev("loop_interrupted", {{"is_interrupted", true}}),
                         action("utter_other")})) == loop(R"("is_interrupted": false, "rejected": true)"));
  CHECK(loop_after(plus({ev("action_execution_rejected", {{"name", "f"}}), action("f")})) ==
        loop(R"("is_interrupted": false, "rejected": false)"));
  CHECK(loop_after(plus({ev("action_execution_rejected", {{"name", "other"}})})) ==
        loop(R"("is_interrupted": false, "rejected": false)"));
  CHECK(loop_after(plus({ev("active_loop", {{"name", nullptr}})})) == "{}");
  CHECK(loop_after(plus({ev("active_loop")})) == "{}");
  CHECK(loop_after(plus({ev("form", {{"name", "g"}}), ev("form")})) == "{}");

  SECTION("partial objects when no loop is active") {
    CHECK(loop_after(Json::array({ev("loop_interrupted", {{"is_interrupted", true}})})) == R"({"is_interrupted":true})");
    CHECK(loop_after(Json::array({ev("form_validation", {{"validate", false}})})) == R"({"is_interrupted":true})");
    CHECK(loop_after(Json::array({ev("action_execution_rejected")})) == R"({"rejected":true})");
    CHECK(loop_after(Json::array({ev("action_execution_rejected", {{"name", "x"}})})) == "{}");
    CHECK(loop_after(Json::array({listen()})) == "{}");
    auto e2e = build(Json::array({ev("action", {{"action_text", "Hello!"}})}));
    CHECK(state(*e2e)["active_loop"].dump() == R"({"rejected":false})");
    CHECK(state(*e2e)["latest_action"].dump() == R"({"action_text":"Hello!"})");
    CHECK(state(*e2e)["latest_action_name"] == "Hello!");
  }
  SECTION("a loop named should_not_be_set counts as no loop") {
    Json t = state(*build(Json::array({ev("active_loop", {{"name", "should_not_be_set"}}),
                                       ev("loop_interrupted", {{"is_interrupted", true}}), action("x"),
                                       ev("action_execution_rejected")})))["active_loop"];
    CHECK(t["is_interrupted"] == true);  // not reset by the action: no active loop
    CHECK(t["rejected"] == true);        // a nameless rejection matches the null loop name
  }
  SECTION("a falsy loop name activates a loop that actions do not treat as active") {
    CHECK(loop_after(Json::array({ev("active_loop", {{"name", ""}}), ev("loop_interrupted", {{"is_interrupted", true}}),
                                  action("x")})) ==
          want(std::string(R"({"name": "", "is_interrupted": true, "rejected": false, "trigger_message": )") +
               kEmptyMessage + "}"));
  }
}

TEST_CASE("trigger_message: the latest user event's parse_data, held by reference", "[tracker][loop]") {
  auto t0 = build(Json::array({ev("active_loop", {{"name", "f"}})}));
  CHECK(state(*t0)["active_loop"]["trigger_message"].dump() == want(kEmptyMessage));

  // Non-empty entity list: shared, so an entity added after activation shows in the trigger.
  auto shared = build(Json::array({listen(), user("u", Json::array({entity("a", 1)})),
                                   ev("active_loop", {{"name", "f"}}), ev("entities", {{"entities", {entity("b", 2)}}})}));
  CHECK(state(*shared)["active_loop"]["trigger_message"]["entities"].dump() ==
        R"([{"entity":"a","value":1},{"entity":"b","value":2}])");
  // Empty list: the parse_data keeps [], only latest_message shows the added entity.
  auto own = build(Json::array({listen(), user("u"), ev("active_loop", {{"name", "f"}}),
                                ev("entities", {{"entities", {entity("b", 2)}}})}));
  CHECK(state(*own)["active_loop"]["trigger_message"]["entities"].dump() == "[]");
  CHECK(state(*own)["latest_message"]["entities"].dump() == R"([{"entity":"b","value":2}])");
}

TEST_CASE("entities events: only right after action_listen, deduplicated, aliased (§3.3)", "[tracker][entities]") {
  const Json a = entity("a", 1), b = entity("b", 2), c = entity("c", 3);
  auto latest = [](const Tracker& t) { return state(t)["latest_message"]["entities"].dump(); };

  auto t = build(Json::array({listen(), user("u", Json::array({a})), ev("entities", {{"entities", {a, b, b}}}),
                              action("x"), ev("entities", {{"entities", {c}}})}));
  CHECK(latest(*t) == R"([{"entity":"a","value":1},{"entity":"b","value":2}])");
  // Aliased: the stored user event shows the added entity in every serialisation.
  CHECK(state(*t, Verbosity::All)["events"][1]["parse_data"]["entities"].dump() ==
        R"([{"entity":"a","value":1},{"entity":"b","value":2}])");

  auto unaliased = build(Json::array({listen(), user("u"), ev("entities", {{"entities", {b}}})}));
  CHECK(latest(*unaliased) == R"([{"entity":"b","value":2}])");
  CHECK(state(*unaliased, Verbosity::All)["events"][1]["parse_data"]["entities"].dump() == "[]");

  SECTION("deduplication uses Python equality") {
    auto eq = build(Json::array({listen(), user("u", Json::array({entity("a", 1)})),
                                 ev("entities", {{"entities", {{{"value", 1.0}, {"entity", "a"}}}}})}));
    CHECK(state(*eq)["latest_message"]["entities"].size() == 1);
  }
  SECTION("a null list fails the build only when it would apply; a string is iterated") {
    CHECK_THAT(build_error(Json::array({listen(), user("u"), ev("entities")})), Catch::StartsWith("events[2]"));
    CHECK(build(Json::array({listen(), user("u"), action("x"), ev("entities")}))->events().size() == 4);
    CHECK(latest(*build(Json::array({listen(), ev("entities", {{"entities", "añ"}})}))) == R"(["a","ñ"])");
  }
}

TEST_CASE("max_event_history keeps the last N events; state still saw every event", "[tracker]") {
  BuildOptions options;
  options.max_event_history = 3;
  auto t = build(Json::array({slot("a", 1, 1), slot("b", 2, 2), ev("pause", {{"timestamp", 3}}),
                              listen(4), user("u", Json::array(), {{"timestamp", 5}})}), nullptr, options);
  CHECK(ids(*t, Verbosity::All) == std::vector<double>{3, 4, 5});
  CHECK(ids(*t, Verbosity::Applied) == std::vector<double>{3, 4, 5});
  CHECK(state(*t)["slots"].dump() == R"({"a":1,"b":2})");
  // A rewind replays only what is retained: the slots set by dropped events are lost.
  auto lost = build(Json::array({slot("a", 1, 1), listen(2), user("u"), ev("rewind")}), nullptr, options);
  CHECK(state(*lost)["slots"].dump() == R"({"a":null})");
  // latest_input_channel only sees the retained events.
  options.max_event_history = 1;
  auto dropped = build(Json::array({user("u", Json::array(), {{"input_channel", "rest"}}), ev("pause")}), nullptr, options);
  CHECK(state(*dropped)["latest_input_channel"].is_null());
}

TEST_CASE("verbosities select NONE / APPLIED / AFTER_RESTART / ALL events (§8.3)", "[tracker][verbosity]") {
  auto t = build(Json::array({listen(1), user("a", Json::array(), {{"timestamp", 2}}), ev("restart", {{"timestamp", 3}}),
                              action("action_session_start", 4), ev("session_started", {{"timestamp", 5}}), listen(6),
                              user("b", Json::array(), {{"timestamp", 7}}), action("x", 8), ev("undo", {{"timestamp", 9}})}));
  CHECK(state(*t, Verbosity::None)["events"].is_null());
  CHECK(ids(*t, Verbosity::All) == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(ids(*t, Verbosity::AfterRestart) == std::vector<double>{4, 5, 6, 7, 8, 9});
  CHECK(ids(*t, Verbosity::Applied) == std::vector<double>{6, 7});
  CHECK(state(*t, Verbosity::AfterRestart)["events"].size() == 6);
  CHECK(convo::parse_verbosity("after_restart") == Verbosity::AfterRestart);
  CHECK(convo::parse_verbosity("All") == Verbosity::All);
  CHECK_FALSE(convo::parse_verbosity("everything").has_value());
}

TEST_CASE("build_tracker is all-or-nothing; inspect_events collects and keeps going", "[tracker][build]") {
  const Json events = Json::array({slot("a", 1), ev("USER"), slot("b", 2), 7});
  CHECK_THAT(build_error(events), Catch::StartsWith("events[1]"));
  auto report = convo::inspect_events("s1", events, nullptr, {}, fixed_context());
  CHECK_FALSE(report.ok());
  REQUIRE(report.errors.size() == 2);
  CHECK_THAT(report.errors[0], Catch::StartsWith("events[1]"));
  CHECK_THAT(report.errors[1], Catch::StartsWith("events[3]"));
  REQUIRE(report.tracker);
  CHECK(state(*report.tracker)["slots"].dump() == R"({"a":1,"b":2})");

  SECTION("applying stops at the first event Rasa's apply raises on") {
    auto stopped = convo::inspect_events("s1", Json::array({slot("a", 1), slot(Json::array({1}), 2), slot("b", 2)}),
                                         nullptr, {}, fixed_context());
    REQUIRE(stopped.errors.size() == 1);
    CHECK_THAT(stopped.errors[0], Catch::StartsWith("events[1] (slot)"));
    CHECK(state(*stopped.tracker)["slots"].dump() == R"({"a":1})");
  }
  SECTION("skipped items are warnings, not errors") {
    auto skipped = convo::inspect_events("s1", Json::array({ev("topic"), Json::object(), slot("a", 1)}), nullptr, {},
                                         fixed_context());
    CHECK(skipped.ok());
    CHECK(skipped.warnings.size() == 2);
    CHECK(build(Json::array({ev("topic"), slot("a", 1)}))->events().size() == 1);
  }
}

TEST_CASE("BuildOptions::until stops at the first later event (travel_back_in_time)", "[tracker][build]") {
  const Json events = Json::array({slot("a", 1, 1), slot("b", 2, 2), slot("c", 5, 5), slot("d", 3, 3)});
  BuildOptions options;
  options.until = 4;
  auto t = build(events, nullptr, options);
  CHECK(ids(*t, Verbosity::All) == std::vector<double>{1, 2});  // d (ts 3) comes after c (ts 5)
  CHECK(state(*t)["latest_event_time"] == 2);
  options.until = 2;  // inclusive
  CHECK(ids(*build(events, nullptr, options), Verbosity::All) == std::vector<double>{1, 2});
}

TEST_CASE("autofill: slot events right after user/entities events, in domain slot order (§9.3)", "[tracker][autofill]") {
  auto d = domain(R"({"entities": ["city", "tags", "no_fill"],
      "slots": {"tags": {"type": "list"}, "city": {"type": "text"}, "no_fill": {"type": "text", "auto_fill": false}}})");
  const Json entities = Json::array({entity("city", "Berlin"), entity("tags", "a"), entity("no_fill", "x"),
                                     entity("city", "Rome"), entity("tags", "b")});
  BuildOptions options;
  options.autofill = true;
  auto t = build(Json::array({listen(1), user("u", entities, {{"timestamp", 2}}), action("x", 3)}), d, options);
  CHECK(state(*t, Verbosity::All)["events"].dump() ==
        Json::array({t->events()[0]->data(), t->events()[1]->data(),
                     {{"event", "slot"}, {"timestamp", kNow}, {"name", "tags"}, {"value", {"a", "b"}}},
                     {{"event", "slot"}, {"timestamp", kNow}, {"name", "city"}, {"value", "Rome"}},
                     t->events()[4]->data()}).dump());
  CHECK(state(*t)["slots"].dump() == R"({"tags":["a","b"],"city":"Rome","no_fill":null,"session_started_metadata":null})");

  SECTION("entities events fill too; update() alone never does") {
    Tracker live("s", d);
    auto added = convo::parse_event(ev("entities", {{"entities", {entity("city", "Oslo")}}}), fixed_context());
    REQUIRE(added.ok());
    CHECK_FALSE(live.update_with_autofill(*added, 11.0).has_value());
    REQUIRE(live.events().size() == 2);
    CHECK(live.events()[1]->data().dump() == R"({"event":"slot","timestamp":11.0,"name":"city","value":"Oslo"})");
    CHECK(build(Json::array({user("u", entities)}), d)->events().size() == 1);
  }
  SECTION("store_entities_as_slots: false switches it off") {
    auto off = domain(R"({"config": {"store_entities_as_slots": false}, "slots": {"city": {"type": "text"}}})");
    CHECK(build(Json::array({user("u", entities)}), off, options)->events().size() == 1);
  }
}

TEST_CASE("autofill: entities that are not a list of objects make Rasa's auto-fill raise (§9.3, §5.3)",
          "[tracker][autofill]") {
  // Rasa 2.8 Domain.slots_for_entities runs `e.get("entity") for e in entities` for every
  // auto_fill slot (session_started_metadata always is one): None is not iterable and a
  // non-dict entity has no .get, so update() raises and the list cannot be logged.
  auto d = domain(R"({"slots": {"city": {"type": "text"}}})");
  BuildOptions options;
  options.autofill = true;
  for (const Json& user_event : {user("u", Json::array({"city"})), user("u", nullptr), user("u", Json::array({1}))}) {
    INFO(user_event.dump());
    CHECK_FALSE(convo::build_tracker("s", Json::array({listen(), user_event}), d, options, fixed_context()).ok());
  }
  for (const Json& list : {Json(), Json("ab")}) {
    INFO(list.dump());
    Tracker t("s", d);
    auto added = convo::parse_event(ev("entities", {{"entities", list}}), fixed_context());
    REQUIRE(added.ok());
    t.update(*convo::parse_event(action("x"), fixed_context()));  // not after action_listen: apply is a no-op
    CHECK(t.update_with_autofill(*added, 11.0).has_value());
  }
}
