// applied_events() (spec §7.1) and the worked examples of §7.2–§7.4. Event timestamps are the
// example's event numbers, so an applied list reads as a list of ids.
#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "convo/core/tracker_builder.hpp"

using convo::Domain;
using convo::EventPtr;
using convo::Json;
using convo::ParseContext;
using convo::Tracker;
using convo::Verbosity;

namespace {

using Ids = std::vector<double>;

ParseContext fixed_context() {
  auto counter = std::make_shared<int>(0);
  return {[] { return 1700000000.5; }, [counter] { return "uuid-" + std::to_string(++*counter); }};
}

// --- events, each stamped with its id ---
Json ev(double id, const char* type, Json fields = Json::object()) {
  Json e = {{"event", type}, {"timestamp", id}};
  for (auto& [k, v] : fields.items()) e[k] = v;
  return e;
}
Json action(double id, const char* name) { return ev(id, "action", {{"name", name}}); }
Json listen(double id) { return action(id, "action_listen"); }
Json user(double id, const std::string& text, const char* intent = nullptr) {
  Json pd = {{"intent", {{"name", intent ? intent : text}, {"confidence", 1.0}}}, {"entities", Json::array()}};
  return ev(id, "user", {{"text", text}, {"parse_data", pd}});
}
Json slot(double id, const char* name, Json value) { return ev(id, "slot", {{"name", name}, {"value", value}}); }
Json bot(double id, const char* text) { return ev(id, "bot", {{"text", text}}); }
Json loop(double id, Json name) { return ev(id, "active_loop", {{"name", name}}); }

std::unique_ptr<Tracker> build(const Json& events, std::shared_ptr<const Domain> d = nullptr) {
  auto r = convo::build_tracker("s", events, std::move(d), {}, fixed_context());
  if (!r) FAIL("build failed: " << r.error().message);
  return std::move(r.value());
}

Ids ids_of(const std::vector<EventPtr>& events) {
  Ids out;
  for (const auto& e : events) out.push_back(e->timestamp().get<double>());
  return out;
}

// applied_events() over the parsed list, checked against the tracker's own view of it.
Ids applied(const Json& events) {
  auto t = build(events);
  Ids via_tracker = ids_of(t->applied_events());
  Ids direct = ids_of(convo::applied_events(t->events()));
  CHECK(via_tracker == direct);
  return direct;
}

std::shared_ptr<const Domain> domain(const std::string& dict) {
  auto d = convo::domain_from_json(Json::parse(dict));
  if (!d) FAIL("domain did not load: " << d.error().message);
  return std::make_shared<const Domain>(std::move(d.value()));
}

// §7.2 Example A.
Json example_a() {
  return Json::array({action(1, "action_session_start"), ev(2, "session_started"), listen(3), user(4, "/greet", "greet"),
                      action(5, "utter_greet"), bot(6, "Hi!"), listen(7), user(8, "hmm", "nlu_fallback"),
                      action(9, "action_default_fallback"), bot(10, "Sorry?"), ev(11, "rewind"), listen(12),
                      user(13, R"(/inform{"cuisine": "thai"})", "inform"), slot(14, "cuisine", "thai"),
                      action(15, "action_search"), slot(16, "result", "r1"), ev(17, "undo"), listen(18)});
}

// §7.4 Example C.
Json example_c() {
  const char* form = "restaurant_form";
  return Json::array({
      listen(1), user(2, "/request_restaurant", "request_restaurant"), action(3, form), loop(4, form),
      slot(5, "requested_slot", "cuisine"), bot(6, "What cuisine?"), listen(7),
      user(8, R"(/inform{"cuisine":"thai"})", "inform"), action(9, form), slot(10, "cuisine", "thai"),
      slot(11, "requested_slot", "people"), bot(12, "How many people?"), listen(13), user(14, "/chitchat", "chitchat"),
      ev(15, "action_execution_rejected", {{"name", form}}), action(16, "utter_chitchat"), bot(17, "I am a bot."),
      ev(18, "loop_interrupted", {{"is_interrupted", true}}), action(19, form), bot(20, "How many people?"), listen(21),
      user(22, R"(/inform{"people": 4})", "inform"), action(23, form), slot(24, "people", 4),
      slot(25, "requested_slot", nullptr), loop(26, nullptr), action(27, "utter_done"), listen(28)});
}

Json first(const Json& events, std::size_t n) { return Json(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(n)); }

}  // namespace

TEST_CASE("Example A (§7.2): rewind and undo", "[applied]") {
  auto d = domain(R"({"slots": {"cuisine": {"type": "text"}, "result": {"type": "text"}}})");
  auto t = build(example_a(), d);
  CHECK(ids_of(t->applied_events()) == Ids{3, 4, 5, 6, 12, 13, 14, 18});
  Json s = t->current_state(Verbosity::None);
  CHECK(s["slots"].dump() == R"({"cuisine":"thai","result":null,"session_started_metadata":null})");
  CHECK(s["latest_message"]["text"] == R"(/inform{"cuisine": "thai"})");
  CHECK(s["latest_action"].dump() == R"({"action_name":"action_listen"})");
  CHECK(s["latest_event_time"] == 18);

  SECTION("then a restart: nothing applied, nothing after the restart, slots back to null") {
    Json events = example_a();
    events.push_back(ev(19, "restart"));
    auto r = build(events, d);
    CHECK(r->applied_events().empty());
    CHECK(r->events_for(Verbosity::AfterRestart).empty());
    Json rs = r->current_state(Verbosity::AfterRestart);
    CHECK(rs["events"].dump() == "[]");
    CHECK(rs["slots"].dump() == R"({"cuisine":null,"result":null,"session_started_metadata":null})");
    CHECK(rs["followup_action"] == "action_session_start");
  }
}

TEST_CASE("Example B (§7.3): action_back's two rewinds", "[applied]") {
  Json events = Json::array({listen(1), user(2, "hi"), action(3, "utter_greet"), bot(4, "Hello"), listen(5),
                             user(6, "I want pizza"), slot(7, "food", "pizza"), action(8, "utter_ok"), listen(9),
                             user(10, "/back"), action(11, "action_back"), ev(12, "rewind"), ev(13, "rewind"),
                             listen(14)});
  CHECK(applied(events) == Ids{1, 2, 3, 4, 14});
  Json s = build(events)->current_state(Verbosity::None);
  CHECK(s["slots"].dump() == R"({"food":null})");
  CHECK(s["latest_message"]["text"] == "hi");
}

TEST_CASE("Example C (§7.4): loop collapse with an unhappy path", "[applied][loop]") {
  CHECK(applied(example_c()) ==
        Ids{1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 24, 25, 26, 27, 28});

  SECTION("intermediate applied lists") {
    CHECK(applied(first(example_c(), 9)) == Ids{1, 2, 3, 4, 5, 6});        // 9 collapses 8 and 7
    CHECK(applied(first(example_c(), 19)) == Ids{1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  }
  SECTION("tracker state right after event 18") {
    auto d = domain(R"({"slots": {"cuisine": {"type": "text"}, "people": {"type": "float"},
                                  "requested_slot": {"type": "text", "influence_conversation": false}}})");
    Json s = build(first(example_c(), 18), d)->current_state(Verbosity::None);
    CHECK(s["active_loop"].dump() == Json::parse(R"({"name": "restaurant_form", "is_interrupted": true, "rejected": true,
        "trigger_message": {"intent": {"name": "request_restaurant", "confidence": 1.0}, "entities": [],
        "text": "/request_restaurant", "message_id": null, "metadata": {}}})").dump());
    CHECK(s["latest_action"].dump() == R"({"action_name":"utter_chitchat"})");
    CHECK(s["latest_action_name"] == "utter_chitchat");
    CHECK(s["followup_action"].is_null());
    CHECK(s["slots"].dump() ==
          R"({"cuisine":"thai","people":null,"requested_slot":"people","session_started_metadata":null})");
  }
  SECTION("sequential state keeps the latest user message despite the collapse (§5.4)") {
    auto latest_text = [](const Json& events) {
      return build(events)->current_state(Verbosity::None)["latest_message"]["text"];
    };
    CHECK(latest_text(first(example_c(), 13)) == R"(/inform{"cuisine":"thai"})");
    CHECK(latest_text(example_c()) == R"(/inform{"people": 4})");
    auto after_19 = build(first(example_c(), 19))->current_state(Verbosity::None)["active_loop"];
    CHECK(after_19["is_interrupted"] == false);
    CHECK(after_19["rejected"] == false);
    CHECK(build(example_c())->current_state(Verbosity::None)["active_loop"].dump() == "{}");
  }
  SECTION("with the live log's user_featurization events: those before collapsed runs go") {
    Json live;
    for (const auto& e : example_c()) {
      double id = e["timestamp"].get<double>();
      if (id == 3 || id == 9 || id == 16 || id == 23)
        live.push_back(ev(id - 0.5, "user_featurization", {{"use_text_for_featurization", false}}));
      live.push_back(e);
    }
    CHECK(applied(live) ==
          Ids{1, 2, 2.5, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 15.5, 16, 17, 18, 19, 20, 24, 25, 26, 27, 28});
  }
}

TEST_CASE("restart and session_started clear the applied list, and are not in it", "[applied]") {
  CHECK(applied(Json::array({slot(1, "a", 1), ev(2, "restart"), slot(3, "b", 2)})) == Ids{3});
  CHECK(applied(Json::array({slot(1, "a", 1), ev(2, "session_started"), slot(3, "b", 2)})) == Ids{3});
  CHECK(applied(Json::array({slot(1, "a", 1), ev(2, "session_started")})).empty());
  // The tracker agrees: session_started resets the slots, replayed events re-set them.
  auto t = build(Json::array({slot(1, "a", 1), ev(2, "session_started"), slot(3, "b", 2)}));
  CHECK(t->current_state(Verbosity::None)["slots"].dump() == R"({"a":null,"b":2})");
}

TEST_CASE("undo removes the last action and everything after it", "[applied]") {
  CHECK(applied(Json::array({listen(1), user(2, "u"), action(3, "x"), slot(4, "a", 1), ev(5, "undo")})) == Ids{1, 2});
  CHECK(applied(Json::array({listen(1), user(2, "u"), action(3, "x"), ev(4, "undo"), ev(5, "undo")})).empty());
  // Right after a user message it also takes that message (and its action_listen).
  CHECK(applied(Json::array({slot(1, "a", 1), listen(2), user(3, "u"), ev(4, "undo")})) == Ids{1});
}

TEST_CASE("rewind removes the last user message, the action before it, and what follows", "[applied]") {
  CHECK(applied(Json::array({slot(1, "a", 1), listen(2), user(3, "u"), slot(4, "b", 2), ev(5, "rewind")})) == Ids{1});
  CHECK(applied(Json::array({listen(1), user(2, "u"), action(3, "x"), listen(4), user(5, "v"), ev(6, "rewind"),
                             listen(7)})) == Ids{1, 2, 3, 7});
}

TEST_CASE("undo or rewind with nothing to undo wipes every applied event (§15 item 26)", "[applied]") {
  CHECK(applied(Json::array({slot(1, "a", 1), ev(2, "undo")})).empty());
  CHECK(applied(Json::array({listen(1), slot(2, "a", 1), ev(3, "rewind")})).empty());
  CHECK(applied(Json::array({user(1, "u"), slot(2, "a", 1), ev(3, "rewind")})).empty());
  auto d = domain(R"({"slots": {"a": {"type": "text", "initial_value": "init"}}})");
  auto t = build(Json::array({listen(1), slot(2, "a", "set"), ev(3, "rewind")}), d);
  CHECK(t->current_state(Verbosity::None)["slots"]["a"] == "init");
  CHECK(ids_of(t->events_for(Verbosity::All)) == Ids{1, 2, 3});  // nothing is deleted
}

TEST_CASE("loop collapse: only user, action and user_featurization events go", "[applied][loop]") {
  Json events = Json::array({listen(1), user(2, "u"), action(3, "f"), loop(4, "f"), listen(5), user(6, "v"),
                             ev(7, "entities", {{"entities", Json::array()}}), slot(8, "s", 1), bot(9, "b"),
                             ev(10, "followup", {{"name", "x"}}), ev(11, "user_featurization"), action(12, "f")});
  CHECK(applied(events) == Ids{1, 2, 3, 4, 7, 8, 9, 10});
}

TEST_CASE("loop collapse: first runs, deactivations and unhappy paths keep events", "[applied][loop]") {
  SECTION("the loop's first run is appended") {
    CHECK(applied(Json::array({listen(1), user(2, "u"), action(3, "f"), loop(4, "f")})) == Ids{1, 2, 3, 4});
  }
  SECTION("a deactivation stops the backward search") {
    CHECK(applied(Json::array({action(1, "f"), loop(2, "f"), loop(3, nullptr), listen(4), user(5, "u"),
                               action(6, "f")})) == Ids{1, 2, 3, 4, 5, 6});
  }
  SECTION("a user message followed by another action (even action_listen) is an unhappy path") {
    CHECK(applied(Json::array({action(1, "f"), loop(2, "f"), listen(3), user(4, "u"), listen(5), user(6, "v"),
                               action(7, "f")})) == Ids{1, 2, 3, 4, 5, 6, 7});
    CHECK(applied(Json::array({action(1, "f"), loop(2, "f"), listen(3), user(4, "u"), action(5, "utter_x"),
                               action(6, "f")})) == Ids{1, 2, 3, 4, 5, 6});
  }
  SECTION("loop names come from the whole list, later activations included") {
    CHECK(applied(Json::array({listen(1), user(2, "u"), action(3, "f"), listen(4), user(5, "v"), action(6, "f"),
                               loop(7, "f")})) == Ids{1, 2, 3, 7});
  }
  SECTION("falsy loop names do not count; a legacy form event does") {
    Json base = Json::array({action(1, ""), listen(2), user(3, "u"), action(4, "")});
    base.push_back(loop(5, ""));
    CHECK(applied(base) == Ids{1, 2, 3, 4, 5});
    CHECK(applied(Json::array({action(1, "g"), ev(2, "form", {{"name", "g"}}), listen(3), user(4, "u"),
                               action(5, "g")})) == Ids{1, 2});
  }
  SECTION("a rejection of another action is not an unhappy path of this loop") {
    CHECK(applied(Json::array({action(1, "f"), loop(2, "f"), ev(3, "action_execution_rejected", {{"name", "h"}}),
                               listen(4), user(5, "u"), action(6, "f")})) == Ids{1, 2, 3});
  }
}
