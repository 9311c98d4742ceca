// One event type per test case: what parse_event makes of an object and what it serialises
// (spec §1–§3; keys, key order and defaults as Rasa 2.8 writes them), then equality (§13).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "convo/core/event.hpp"

using convo::EventPtr;
using convo::EventType;
using convo::Json;
using convo::ParseContext;

namespace {

constexpr double kNow = 1700000000.5;
const char* const kNowText = "1700000000.5";

// A pinned clock and uuids "uuid-1", "uuid-2", ... counting per context.
ParseContext fixed_context() {
  auto counter = std::make_shared<int>(0);
  return {[] { return kNow; }, [counter] { return "uuid-" + std::to_string(++*counter); }};
}

EventPtr parse_ok(const std::string& text, const ParseContext& ctx = fixed_context()) {
  INFO("input: " << text);
  auto r = convo::parse_event(Json::parse(text), ctx);
  if (!r) FAIL("unexpected error: " << r.error().message);
  REQUIRE(*r != nullptr);
  return *r;
}

// The serialised form of one parsed event, compact.
std::string out(const std::string& text) { return parse_ok(text)->data().dump(); }

// Hand-written expected JSON, normalised to compact text (key order kept).
std::string want(const std::string& text) { return Json::parse(text).dump(); }

std::string parse_error(const std::string& text) {
  INFO("input: " << text);
  auto r = convo::parse_event(Json::parse(text), fixed_context());
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

bool equal(const std::string& a, const std::string& b) {
  return convo::events_equal(*parse_ok(a), *parse_ok(b));
}

// Types without payload: unknown keys dropped, metadata only when truthy (then third).
void check_envelope_only(const std::string& type, EventType expected_type) {
  const std::string head = R"({"event": ")" + type + R"(", "timestamp": 3)";
  auto e = parse_ok(head + R"(, "name": "x", "value": 1, "metadata": {}})");
  CHECK(e->type == expected_type);
  CHECK(e->data().dump() == want(head + "}"));
  CHECK(out(R"({"metadata": {"a": 1}, "timestamp": 3, "event": ")" + type + R"("})") ==
        want(head + R"(, "metadata": {"a": 1}})"));
}

}  // namespace

TEST_CASE("user: keys in Rasa's order, parse_data built from the event's fields", "[event][user]") {
  CHECK(out(R"({"event": "user", "timestamp": 1600000002.0, "text": "hi",
      "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                     "entities": [{"entity": "e", "value": "v"}],
                     "intent_ranking": [{"name": "greet", "confidence": 0.9}]},
      "input_channel": "rest", "message_id": "m1"})") ==
        want(R"({"event": "user", "timestamp": 1600000002.0, "text": "hi",
      "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                     "entities": [{"entity": "e", "value": "v"}], "text": "hi",
                     "message_id": "m1", "metadata": {},
                     "intent_ranking": [{"name": "greet", "confidence": 0.9}]},
      "input_channel": "rest", "message_id": "m1", "metadata": {}})"));

  SECTION("parse_data {} and nothing else: every default") {
    CHECK(out(R"({"event": "user", "timestamp": 5, "parse_data": {}})") ==
          want(R"({"event": "user", "timestamp": 5, "text": null,
          "parse_data": {"intent": {}, "entities": [], "text": null, "message_id": null,
                         "metadata": {}},
          "input_channel": null, "message_id": null, "metadata": {}})"));
  }
  SECTION("non-empty metadata sits third, and is copied into parse_data") {
    CHECK(out(R"({"event": "user", "timestamp": 5, "metadata": {"device": "web"}, "text": "x",
                  "parse_data": {}})") ==
          want(R"({"event": "user", "timestamp": 5, "metadata": {"device": "web"}, "text": "x",
          "parse_data": {"intent": {}, "entities": [], "text": "x", "message_id": null,
                         "metadata": {"device": "web"}},
          "input_channel": null, "message_id": null})"));
  }
  SECTION("null metadata becomes {} and goes last; a truthy non-object is kept third") {
    CHECK(out(R"({"event": "user", "timestamp": 5, "metadata": null, "parse_data": {}})") ==
          want(R"({"event": "user", "timestamp": 5, "text": null,
          "parse_data": {"intent": {}, "entities": [], "text": null, "message_id": null,
                         "metadata": {}},
          "input_channel": null, "message_id": null, "metadata": {}})"));
    CHECK(out(R"({"event": "user", "timestamp": 5, "metadata": "m", "parse_data": {}})") ==
          want(R"({"event": "user", "timestamp": 5, "metadata": "m", "text": null,
          "parse_data": {"intent": {}, "entities": [], "text": null, "message_id": null,
                         "metadata": "m"},
          "input_channel": null, "message_id": null})"));
  }
  SECTION("supplied parse_data keys win inside parse_data only; falsy ones too") {
    CHECK(out(R"({"event": "user", "timestamp": 5, "metadata": {"e": 1}, "text": "top",
        "message_id": "em", "parse_data": {"text": "inner", "metadata": {"p": 1},
        "message_id": "pm", "intent": "", "entities": null}})") ==
          want(R"({"event": "user", "timestamp": 5, "metadata": {"e": 1}, "text": "top",
          "parse_data": {"intent": "", "entities": null, "text": "inner", "message_id": "pm",
                         "metadata": {"p": 1}},
          "input_channel": null, "message_id": "em"})"));
  }
  SECTION("values are not type-checked; a list of non-objects is accepted") {
    auto e = parse_ok(R"({"event": "user", "text": 42, "parse_data": {"entities": [1, "x"]}})");
    CHECK(e->type == EventType::User);
    CHECK(e->data()["text"] == 42);
    CHECK(e->data()["parse_data"]["entities"].dump() == R"([1,"x"])");
  }
}

TEST_CASE("user: parse_data shapes that make Rasa raise are errors naming the field", "[event][user]") {
  CHECK_THAT(parse_error(R"({"event": "user", "text": "hi"})"), Catch::Contains("parse_data"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": null})"), Catch::Contains("parse_data"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": "greet"})"),
             Catch::Contains("parse_data") && Catch::Contains("a string"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": [1]})"), Catch::Contains("parse_data"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": {"intent": "greet"}})"),
             Catch::Contains("parse_data.intent"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": {"entities": "city"}})"),
             Catch::Contains("parse_data.entities"));
  CHECK_THAT(parse_error(R"({"event": "user", "parse_data": {"entities": 3}})"),
             Catch::Contains("parse_data.entities"));
}

TEST_CASE("user_featurization: the flag, null when missing", "[event]") {
  CHECK(out(R"({"event": "user_featurization", "timestamp": 2, "use_text_for_featurization": false})") ==
        want(R"({"event": "user_featurization", "timestamp": 2, "use_text_for_featurization": false})"));
  CHECK(out(R"({"event": "user_featurization", "timestamp": 2})") ==
        want(R"({"event": "user_featurization", "timestamp": 2, "use_text_for_featurization": null})"));
}

TEST_CASE("entities: the list as given, null when missing", "[event]") {
  CHECK(out(R"({"event": "entities", "timestamp": 2, "entities": [{"entity": "city", "value": "B"}]})") ==
        want(R"({"event": "entities", "timestamp": 2, "entities": [{"entity": "city", "value": "B"}]})"));
  CHECK(out(R"({"event": "entities", "timestamp": 2})") ==
        want(R"({"event": "entities", "timestamp": 2, "entities": null})"));
}

TEST_CASE("bot: text, data, metadata; falsy data becomes {}", "[event]") {
  CHECK(out(R"({"event": "bot", "timestamp": 1600000001.2, "metadata": {"utter_action": "utter_greet"},
      "text": "Hi!", "data": {"buttons": null}})") ==
        want(R"({"event": "bot", "timestamp": 1600000001.2, "metadata": {"utter_action": "utter_greet"},
      "text": "Hi!", "data": {"buttons": null}})"));
  for (const char* data : {"", R"(, "data": null)", R"(, "data": [])", R"(, "data": "")", R"(, "data": 0)"}) {
    CHECK(out(std::string(R"({"event": "bot", "timestamp": 2)") + data + "}") ==
          want(R"({"event": "bot", "timestamp": 2, "text": null, "data": {}, "metadata": {}})"));
  }
  CHECK(out(R"({"event": "bot", "timestamp": 2, "text": "t", "data": [1, 2], "metadata": null})") ==
        want(R"({"event": "bot", "timestamp": 2, "text": "t", "data": [1, 2], "metadata": {}})"));
}

TEST_CASE("slot: name and value, both nullable; unknown keys dropped", "[event]") {
  CHECK(out(R"({"event": "slot", "timestamp": 2, "name": "cuisine", "value": {"a": [1, null]}, "extra": 1})") ==
        want(R"({"event": "slot", "timestamp": 2, "name": "cuisine", "value": {"a": [1, null]}})"));
  CHECK(out(R"({"event": "slot", "timestamp": 2})") ==
        want(R"({"event": "slot", "timestamp": 2, "name": null, "value": null})"));
  SECTION("metadata only when truthy, then third") {
    CHECK(out(R"({"event": "slot", "timestamp": 2, "name": "a", "value": 1, "metadata": {}})") ==
          want(R"({"event": "slot", "timestamp": 2, "name": "a", "value": 1})"));
    CHECK(out(R"({"event": "slot", "timestamp": 2, "name": "a", "value": 1, "metadata": "m"})") ==
          want(R"({"event": "slot", "timestamp": 2, "metadata": "m", "name": "a", "value": 1})"));
    CHECK(out(R"({"name": "a", "metadata": [1], "value": 1, "timestamp": 2, "event": "slot"})") ==
          want(R"({"event": "slot", "timestamp": 2, "metadata": [1], "name": "a", "value": 1})"));
  }
}

TEST_CASE("restart: the envelope only", "[event]") { check_envelope_only("restart", EventType::Restart); }
TEST_CASE("rewind: the envelope only", "[event]") { check_envelope_only("rewind", EventType::Rewind); }
TEST_CASE("reset_slots: the envelope only", "[event]") { check_envelope_only("reset_slots", EventType::ResetSlots); }
TEST_CASE("undo: the envelope only", "[event]") { check_envelope_only("undo", EventType::Undo); }
TEST_CASE("pause: the envelope only", "[event]") { check_envelope_only("pause", EventType::Pause); }
TEST_CASE("resume: the envelope only", "[event]") { check_envelope_only("resume", EventType::Resume); }

TEST_CASE("session_started: the envelope, metadata when truthy", "[event]") {
  CHECK(out(R"({"event": "session_started", "timestamp": 1600000000.2, "metadata": {"device": "web"}})") ==
        want(R"({"event": "session_started", "timestamp": 1600000000.2, "metadata": {"device": "web"}})"));
  CHECK(out(R"({"event": "session_started", "timestamp": 3, "metadata": null})") ==
        want(R"({"event": "session_started", "timestamp": 3})"));
  CHECK(out(R"({"event": "session_started", "timestamp": 3, "metadata": [1]})") ==
        want(R"({"event": "session_started", "timestamp": 3, "metadata": [1]})"));
}

TEST_CASE("reminder: fields, defaults, ISO date, uuid names", "[event][reminder]") {
  CHECK(out(R"({"event": "reminder", "timestamp": 4, "intent": "EXTERNAL_r", "name": "remind_milk",
      "date_time": "2020-09-13T12:30:00Z", "entities": [{"entity": "item", "value": "milk"}],
      "kill_on_user_msg": false})") ==
        want(R"({"event": "reminder", "timestamp": 4, "intent": "EXTERNAL_r",
      "date_time": "2020-09-13T12:30:00+00:00", "entities": [{"entity": "item", "value": "milk"}],
      "name": "remind_milk", "kill_on_user_msg": false})"));

  SECTION("missing intent/entities are null, kill_on_user_msg defaults to true, name to a uuid") {
    CHECK(out(R"({"event": "reminder", "timestamp": 4, "date_time": "2020-09-13"})") ==
          want(R"({"event": "reminder", "timestamp": 4, "intent": null, "date_time": "2020-09-13T00:00:00",
                   "entities": null, "name": "uuid-1", "kill_on_user_msg": true})"));
  }
  SECTION("a null name also gets a fresh uuid, each one new; \"\" is kept") {
    auto ctx = fixed_context();
    const char* null_name = R"({"event": "reminder", "date_time": "2020-09-13", "name": null})";
    CHECK(parse_ok(null_name, ctx)->data()["name"] == "uuid-1");
    CHECK(parse_ok(null_name, ctx)->data()["name"] == "uuid-2");
    CHECK(parse_ok(R"({"event": "reminder", "date_time": "2020-09-13", "name": ""})", ctx)->data()["name"] == "");
  }
  SECTION("an explicit null kill_on_user_msg is kept; dict-shorthand entities are kept") {
    auto e = parse_ok(R"({"event": "reminder", "date_time": "2020-09-13", "name": "n",
                          "kill_on_user_msg": null, "entities": {"item": "milk"}})");
    CHECK(e->data()["kill_on_user_msg"].is_null());
    CHECK(e->data()["entities"].dump() == R"({"item":"milk"})");
  }
  SECTION("a missing, non-string or unparsable date_time is an error naming the field") {
    CHECK_THAT(parse_error(R"({"event": "reminder", "intent": "x"})"), Catch::Contains("date_time"));
    CHECK_THAT(parse_error(R"({"event": "reminder", "date_time": null})"), Catch::Contains("date_time"));
    CHECK_THAT(parse_error(R"({"event": "reminder", "date_time": 1600000000})"), Catch::Contains("date_time"));
    CHECK_THAT(parse_error(R"({"event": "reminder", "date_time": "not a date at all"})"),
               Catch::Contains("date_time"));
  }
}

TEST_CASE("cancel_reminder: the filter is parsed but never serialised", "[event]") {
  auto e = parse_ok(R"({"event": "cancel_reminder", "timestamp": 4, "name": "n", "intent": "i",
                        "entities": [{"entity": "a", "value": 1}]})");
  CHECK(e->data().dump() == want(R"({"event": "cancel_reminder", "timestamp": 4})"));
  CHECK(e->hidden.dump() == want(R"({"name": "n", "intent": "i", "entities": [{"entity": "a", "value": 1}]})"));
}

TEST_CASE("export: the path is parsed but never serialised; metadata survives", "[event]") {
  auto e = parse_ok(R"({"event": "export", "timestamp": 4, "path": "a/b.yml", "metadata": {"x": 1}})");
  CHECK(e->data().dump() == want(R"({"event": "export", "timestamp": 4, "metadata": {"x": 1}})"));
  CHECK(e->hidden["path"] == "a/b.yml");
}

TEST_CASE("followup: the name, null when missing", "[event]") {
  CHECK(out(R"({"event": "followup", "timestamp": 5, "name": "action_ask"})") ==
        want(R"({"event": "followup", "timestamp": 5, "name": "action_ask"})"));
  CHECK(out(R"({"event": "followup", "timestamp": 5})") == want(R"({"event": "followup", "timestamp": 5, "name": null})"));
}

TEST_CASE("action: always five keys after the envelope; values echoed unchecked", "[event]") {
  CHECK(out(R"({"event": "action", "timestamp": 1600000001.1, "name": "utter_greet",
      "policy": "policy_2_RulePolicy", "confidence": 1.0})") ==
        want(R"({"event": "action", "timestamp": 1600000001.1, "name": "utter_greet",
      "policy": "policy_2_RulePolicy", "confidence": 1.0, "action_text": null, "hide_rule_turn": false})"));
  CHECK(out(R"({"event": "action", "timestamp": 6})") ==
        want(R"({"event": "action", "timestamp": 6, "name": null, "policy": null, "confidence": null,
                 "action_text": null, "hide_rule_turn": false})"));
  CHECK(out(R"({"hide_rule_turn": null, "confidence": "high", "name": 7, "event": "action",
                "timestamp": 6, "metadata": {"m": 1}, "action_text": "t"})") ==
        want(R"({"event": "action", "timestamp": 6, "metadata": {"m": 1}, "name": 7, "policy": null,
                 "confidence": "high", "action_text": "t", "hide_rule_turn": null})"));
}

TEST_CASE("agent: text and data; data stays null when absent", "[event]") {
  CHECK(out(R"({"event": "agent", "timestamp": 7})") == want(R"({"event": "agent", "timestamp": 7, "text": null, "data": null})"));
  CHECK(out(R"({"event": "agent", "timestamp": 7, "text": "t", "data": [1, 2]})") ==
        want(R"({"event": "agent", "timestamp": 7, "text": "t", "data": [1, 2]})"));
  CHECK(out(R"({"event": "agent", "timestamp": 7, "data": ""})") ==
        want(R"({"event": "agent", "timestamp": 7, "text": null, "data": ""})"));
}

TEST_CASE("active_loop and legacy form: the name; form comes back as active_loop", "[event]") {
  CHECK(out(R"({"event": "active_loop", "timestamp": 8, "name": "restaurant_form"})") ==
        want(R"({"event": "active_loop", "timestamp": 8, "name": "restaurant_form"})"));
  CHECK(out(R"({"event": "active_loop", "timestamp": 8})") == want(R"({"event": "active_loop", "timestamp": 8, "name": null})"));
  auto legacy = parse_ok(R"({"event": "form", "timestamp": 8, "name": "f"})");
  CHECK(legacy->type == EventType::ActiveLoop);
  CHECK(legacy->data().dump() == want(R"({"event": "active_loop", "timestamp": 8, "name": "f"})"));
}

TEST_CASE("loop_interrupted and legacy form_validation (flag inverted)", "[event]") {
  CHECK(out(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": true})") ==
        want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": true})"));
  CHECK(out(R"({"event": "loop_interrupted", "timestamp": 9})") ==
        want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": false})"));
  CHECK(out(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": null})") ==
        want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": null})"));
  CHECK(out(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": "no"})") ==
        want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": "no"})"));

  auto legacy = [](const char* validate) {
    return out(std::string(R"({"event": "form_validation", "timestamp": 9)") + validate + "}");
  };
  const std::string interrupted = want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": true})");
  const std::string not_interrupted = want(R"({"event": "loop_interrupted", "timestamp": 9, "is_interrupted": false})");
  CHECK(legacy(R"(, "validate": false)") == interrupted);
  CHECK(legacy(R"(, "validate": null)") == interrupted);
  CHECK(legacy(R"(, "validate": true)") == not_interrupted);
  CHECK(legacy("") == not_interrupted);
  CHECK(parse_ok(R"({"event": "form_validation"})")->type == EventType::LoopInterrupted);
}

TEST_CASE("action_execution_rejected: name, policy, confidence only", "[event]") {
  CHECK(out(R"({"event": "action_execution_rejected", "timestamp": 10, "name": "restaurant_form",
      "policy": "policy_2_RulePolicy", "confidence": 1.0, "action_text": "x", "hide_rule_turn": true})") ==
        want(R"({"event": "action_execution_rejected", "timestamp": 10, "name": "restaurant_form",
      "policy": "policy_2_RulePolicy", "confidence": 1.0})"));
  CHECK(out(R"({"event": "action_execution_rejected", "timestamp": 10})") ==
        want(R"({"event": "action_execution_rejected", "timestamp": 10, "name": null, "policy": null, "confidence": null})"));
}

TEST_CASE("3.x types (stack, flow_*) pass through verbatim", "[event]") {
  auto stack = parse_ok(R"({"event": "stack", "timestamp": 11, "update": "[{\"op\": \"add\"}]", "x": {"y": 1}})");
  CHECK(stack->type == EventType::Passthrough);
  CHECK(stack->name() == "stack");
  CHECK(stack->data().dump() == want(R"({"event": "stack", "timestamp": 11, "update": "[{\"op\": \"add\"}]", "x": {"y": 1}})"));
  auto flow = parse_ok(R"({"event": "flow_started", "flow_id": "transfer"})");
  CHECK(flow->type == EventType::Passthrough);
  CHECK(flow->data()["flow_id"] == "transfer");
  CHECK(flow->data()["timestamp"] == kNow);  // falsy timestamps are "now" here too
}

TEST_CASE("timestamps: falsy ones become now, truthy ones are kept as given", "[event][timestamp]") {
  auto ts = [](const std::string& value) {
    std::string in = R"({"event": "pause")" + (value.empty() ? "" : R"(, "timestamp": )" + value) + "}";
    return parse_ok(in)->data()["timestamp"].dump();
  };
  for (const char* falsy : {"", "null", "0", "0.0", "false"}) {
    INFO("timestamp " << falsy);
    CHECK(ts(falsy) == kNowText);
  }
  CHECK(ts("1600000000") == "1600000000");  // ints stay ints
  CHECK(ts("1600000000.0") == "1600000000.0");
  CHECK(ts("1600000000.123456789") == "1600000000.1234567");
  CHECK(ts("-5") == "-5");
  CHECK(ts("true") == "true");
  CHECK(ts(R"("yesterday")") == R"("yesterday")");
  CHECK(ts("[1]") == "[1]");
}

TEST_CASE("event names: unknown ones are errors, topic and null are no event", "[event]") {
  for (const char* name : {R"("USER")", R"("")", R"("event")", R"("wrong_action")"}) {
    std::string message = parse_error(std::string(R"({"event": )") + name + "}");
    CHECK_THAT(message, Catch::Contains("event") && Catch::Contains(Json::parse(name).get<std::string>() + "'"));
  }
  CHECK_THAT(parse_error(R"({"event": 5})"), Catch::Contains("'5'"));
  for (const char* none : {R"({"event": "topic", "name": "t"})", R"({"event": null})"}) {
    auto r = convo::parse_event(Json::parse(none), fixed_context());
    REQUIRE(r.ok());
    CHECK(*r == nullptr);
  }
  CHECK_FALSE(convo::parse_event(Json::parse("[1]"), fixed_context()).ok());
}

TEST_CASE("events_equal: per-type fields, timestamps never count (§13)", "[event][equality]") {
  CHECK(equal(R"({"event": "slot", "timestamp": 1, "name": "a", "value": 1})",
              R"({"event": "slot", "timestamp": 2, "name": "a", "value": true, "metadata": {"x": 1}})"));
  CHECK(equal(R"({"event": "slot", "name": "a", "value": {"k": [1, 2]}})", R"({"event": "slot", "name": "a", "value": {"k": [1.0, 2]}})"));
  CHECK_FALSE(equal(R"({"event": "slot", "name": "a", "value": 1})", R"({"event": "slot", "name": "b", "value": 1})"));
  CHECK_FALSE(equal(R"({"event": "slot", "name": "a", "value": 1})", R"({"event": "slot", "name": "a", "value": "1"})"));
  CHECK_FALSE(equal(R"({"event": "restart"})", R"({"event": "rewind"})"));
  for (const char* t : {"restart", "rewind", "undo", "reset_slots", "pause", "resume", "session_started"})
    CHECK(equal(std::string(R"({"event": ")") + t + R"(", "timestamp": 1})",
                std::string(R"({"event": ")") + t + R"(", "timestamp": 9, "metadata": {"a": 1}})"));

  SECTION("user: text, intent name and entities; nothing else") {
    const std::string a = R"({"event": "user", "text": "hi", "input_channel": "rest", "message_id": "1",
        "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": [{"entity": "e", "value": "v"}]}})";
    CHECK(equal(a, R"({"event": "user", "text": "hi", "metadata": {"m": 1}, "message_id": "2",
        "parse_data": {"intent": {"name": "greet", "confidence": 0.1}, "entities": [{"entity": "e", "value": "v"}]}})"));
    CHECK_FALSE(equal(a, R"({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "bye"},
        "entities": [{"entity": "e", "value": "v"}]}})"));
    CHECK_FALSE(equal(a, R"({"event": "user", "text": "ho", "parse_data": {"intent": {"name": "greet"},
        "entities": [{"entity": "e", "value": "v"}]}})"));
    CHECK_FALSE(equal(a, R"({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}})"));
  }
  SECTION("bot: text, data and metadata without null values") {
    CHECK(equal(R"({"event": "bot", "text": "t", "data": {"buttons": null}, "metadata": {"a": null}})",
                R"({"event": "bot", "text": "t"})"));
    CHECK_FALSE(equal(R"({"event": "bot", "text": "t", "metadata": {"a": 1}})", R"({"event": "bot", "text": "t"})"));
    CHECK_FALSE(equal(R"({"event": "bot", "text": "t", "data": {"b": 1}})", R"({"event": "bot", "text": "t"})"));
  }
  SECTION("action: name, action_text, metadata; policy and confidence ignored") {
    CHECK(equal(R"({"event": "action", "name": "a", "policy": "p1", "confidence": 1.0})",
                R"({"event": "action", "name": "a", "policy": "p2", "confidence": 0.1, "hide_rule_turn": true})"));
    CHECK_FALSE(equal(R"({"event": "action", "name": "a"})", R"({"event": "action", "name": "a", "action_text": "t"})"));
    CHECK_FALSE(equal(R"({"event": "action", "name": "a"})", R"({"event": "action", "name": "a", "metadata": {"k": 1}})"));
  }
  SECTION("name-only types") {
    CHECK(equal(R"({"event": "reminder", "name": "r", "intent": "a", "date_time": "2020-01-01"})",
                R"({"event": "reminder", "name": "r", "intent": "b", "date_time": "2021-01-01"})"));
    CHECK(equal(R"({"event": "action_execution_rejected", "name": "f", "policy": "p"})",
                R"({"event": "action_execution_rejected", "name": "f"})"));
    CHECK_FALSE(equal(R"({"event": "followup", "name": "a"})", R"({"event": "followup", "name": "b"})"));
    CHECK_FALSE(equal(R"({"event": "active_loop", "name": "f"})", R"({"event": "active_loop"})"));
    CHECK(equal(R"({"event": "form", "name": "f"})", R"({"event": "active_loop", "name": "f"})"));
  }
  SECTION("flags, lists and the hidden fields") {
    CHECK(equal(R"({"event": "form_validation", "validate": false})", R"({"event": "loop_interrupted", "is_interrupted": true})"));
    CHECK_FALSE(equal(R"({"event": "loop_interrupted"})", R"({"event": "loop_interrupted", "is_interrupted": true})"));
    CHECK_FALSE(equal(R"({"event": "user_featurization", "use_text_for_featurization": true})", R"({"event": "user_featurization"})"));
    CHECK_FALSE(equal(R"({"event": "entities", "entities": [1]})", R"({"event": "entities", "entities": [2]})"));
    CHECK_FALSE(equal(R"({"event": "agent", "text": "t", "data": 1})", R"({"event": "agent", "text": "t"})"));
    CHECK_FALSE(equal(R"({"event": "export", "path": "a"})", R"({"event": "export", "path": "b"})"));
    CHECK_FALSE(equal(R"({"event": "cancel_reminder", "name": "a"})", R"({"event": "cancel_reminder", "name": "b"})"));
    CHECK_FALSE(equal(R"({"event": "cancel_reminder", "intent": "a"})", R"({"event": "cancel_reminder"})"));
  }
}

TEST_CASE("events_equal: user entities compare as their JSON text (§3.1, §13)", "[event][equality]") {
  // Rasa 2.8: (text, intent name, [JSON of each entity in order]) — jsonpickle text, so 1 vs 1.0
  // and a different key order make two user events unequal.
  CHECK_FALSE(equal(R"({"event": "user", "text": "t", "parse_data": {"entities": [{"entity": "a", "value": 1}]}})",
                    R"({"event": "user", "text": "t", "parse_data": {"entities": [{"entity": "a", "value": 1.0}]}})"));
  CHECK_FALSE(equal(R"({"event": "user", "text": "t", "parse_data": {"entities": [{"entity": "a", "value": "v"}]}})",
                    R"({"event": "user", "text": "t", "parse_data": {"entities": [{"value": "v", "entity": "a"}]}})"));
}

TEST_CASE("events_equal: cancel_reminder compares str(entities) (§3.8, §13)", "[event][equality]") {
  // eq is (name, intent, str(entities)): str([1]) != str([1.0]) and str() keeps dict key order.
  CHECK_FALSE(equal(R"({"event": "cancel_reminder", "name": "n", "entities": [1]})",
                    R"({"event": "cancel_reminder", "name": "n", "entities": [1.0]})"));
  CHECK_FALSE(equal(R"({"event": "cancel_reminder", "name": "n", "entities": {"a": 1, "b": 2}})",
                    R"({"event": "cancel_reminder", "name": "n", "entities": {"b": 2, "a": 1}})"));
}
