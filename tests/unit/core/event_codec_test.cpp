// The codec's fast path: JSON text restyled without a DOM (json_restyle) and event texts decoded
// without one (event_decode) must give exactly what the DOM path gives, for any value and event.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "convo/core/broker_message.hpp"
#include "convo/core/event_decode.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/json.hpp"
#include "convo/core/json_restyle.hpp"
#include "convo/core/tracker_builder.hpp"

using namespace convo;

namespace {

std::uint32_t next(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<std::uint32_t>(state >> 33);
}

// A random JSON value with awkward strings (escapes, controls, DEL, non-ASCII, astral) and
// numbers of every kind.
Json random_value(std::uint64_t& s, int depth) {
  static const char* const strings[] = {"", "a", "quote\"back\\slash", "tab\there\nnl\r\b\f", "\x01\x1f\x7f",
                                        "é✓", "😀 astral", "/slash", "utf8 ü and \\u0041"};
  switch (next(s) % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return next(s) % 2 == 0;
    case 2: return static_cast<std::int64_t>(next(s)) - (1 << 30);
    case 3: {
      const double values[] = {0.0, -0.0, 1.0, 0.1, 1e-05, 1e16, 1630570552.676422, 123456789.123, 2.5e-300, -7.25};
      return values[next(s) % 10] * (next(s) % 3 == 0 ? 3.7 : 1.0);
    }
    case 4: return strings[next(s) % 9];
    case 5: return static_cast<std::uint64_t>(18446744073709551615ULL) - next(s);
    case 6: {
      Json a = Json::array();
      for (std::uint32_t n = next(s) % 4; n > 0; --n) a.push_back(random_value(s, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (std::uint32_t n = next(s) % 4; n > 0; --n) o[strings[next(s) % 9] + std::to_string(n)] = random_value(s, depth + 1);
      return o;
    }
  }
}

std::string restyled(std::string_view in, JsonStyle style) {
  std::string out;
  REQUIRE(restyle_json(in, style, out) == Restyled::Ok);
  return out;
}

}  // namespace

TEST_CASE("restyle_json turns json.dumps text into compact text and back, as the dumpers write them", "[codec]") {
  std::uint64_t seed = 42;
  for (int i = 0; i < 2000; ++i) {
    const Json v = random_value(seed, 0);
    const std::string python = dump_python(v), compact = dump_compact(v);
    INFO(python);
    CHECK(restyled(python, JsonStyle::Compact) == compact);
    CHECK(restyled(compact, JsonStyle::Python) == python);
    CHECK(restyled(python, JsonStyle::Python) == python);
    CHECK(restyled(compact, JsonStyle::Compact) == compact);
  }
  // Whitespace anywhere a JSON text allows it.
  CHECK(restyled(" {\n\t\"a\" :\r[ 1 , {} ,[]] } ", JsonStyle::Compact) == R"({"a":[1,{},[]]})");
}

TEST_CASE("restyle_json tells in the same pass whether a text is its own rewriting (then copying nothing) or the other style's", "[codec]") {
  std::uint64_t seed = 7;
  for (int i = 0; i < 500; ++i) {
    const Json v = random_value(seed, 0);
    const std::string python = dump_python(v), compact = dump_compact(v);
    INFO(python);
    for (JsonStyle style : {JsonStyle::Compact, JsonStyle::Python}) {
      const std::string& own = style == JsonStyle::Compact ? compact : python;
      const std::string& other = style == JsonStyle::Compact ? python : compact;
      std::string out = "x";
      bool same = false, in_other = false;
      REQUIRE(restyle_json(own, style, out, nullptr, &same, &in_other) == Restyled::Ok);
      CHECK(same);
      CHECK(out == "x");
      CHECK(in_other == (own == other));
      // The other style differs wherever a separator or an escape is written otherwise.
      REQUIRE(restyle_json(other, style, out, nullptr, &same, &in_other) == Restyled::Ok);
      CHECK(same == (own == other));
      CHECK(in_other);
      CHECK(out == (own == other ? std::string("x") : "x" + own));
      out.clear();
      REQUIRE(restyle_json(other, style, out, nullptr, nullptr, &in_other) == Restyled::Ok);  // not lazy
      CHECK(in_other);
      CHECK(out == own);
    }
  }
  bool in_other = true;
  std::string trailing;
  REQUIRE(restyle_json("[1, 2] ", JsonStyle::Compact, trailing, nullptr, nullptr, &in_other) == Restyled::Ok);
  CHECK_FALSE(in_other);  // a space after the value
  // Differences at the very end, and whitespace around the value, are differences too.
  for (const char* text : {"[1,2] ", " [1,2]", "\"\\u00e9\"", "{\"a\":\"\\/\"}"}) {
    INFO(text);
    std::string out;
    bool same = true;
    REQUIRE(restyle_json(text, JsonStyle::Compact, out, nullptr, &same) == Restyled::Ok);
    CHECK_FALSE(same);
    CHECK(out == restyled(text, JsonStyle::Compact));
  }
}

TEST_CASE("restyle_json leaves to the DOM what the dumpers would write differently, and rejects what is not JSON", "[codec]") {
  std::string out = "kept";
  for (const char* text : {"1.50", "1e2", "1E+16", "0.10", "-0", "[1.0, 2.000]", R"({"a": 1, "a": 2})",
                           R"("\ud800")", R"("\udc00x")", "\"\xff\"", "\"\xc0\x80\"", "123456789012345678901",
                           "-9223372036854775809"}) {
    INFO(text);
    CHECK(restyle_json(text, JsonStyle::Compact, out) == Restyled::NotCanonical);
  }
  for (const char* text : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"a\nb\"", "[1] x", "\"\\x\"", "NaN", "1e400"}) {
    INFO(text);
    CHECK(restyle_json(text, JsonStyle::Compact, out) == Restyled::Invalid);
  }
  CHECK(out == "kept");  // nothing appended by a failure
  CHECK(restyle_json("9223372036854775807", JsonStyle::Compact, out) == Restyled::Ok);
  CHECK(restyle_json("18446744073709551615", JsonStyle::Compact, out) == Restyled::Ok);
}

TEST_CASE("the outline: keys, value kinds and parse_data's members; the event name and the name member", "[codec]") {
  std::string out;
  JsonOutline outline;
  REQUIRE(restyle_json(R"({"event": "user", "timestamp": 0, "parse_data": {"intent": {}, "entities": [1]}, "name": "x\"y"})",
                       JsonStyle::Compact, out, &outline) == Restyled::Ok);
  CHECK(outline.event == "user");
  CHECK(outline.name == R"("x\"y")");
  CHECK(outline.signature == R"("event"S"timestamp"0"parse_data"("intent"o"entities"A)O"name"S)");
  CHECK(outline.intent_name.empty());  // the intent has no name
  // parse_data's intent's name, and only that one (not a name deeper down or elsewhere).
  REQUIRE(restyle_json(R"({"event": "user", "parse_data": {"entities": [{"name": "e"}], "intent": {"confidence": 1, "name": "gr\u00fc\"t"}, "name": "no"}})",
                       JsonStyle::Compact, out, &outline) == Restyled::Ok);
  CHECK(outline.intent_name == "\"grü\\\"t\"");
  CHECK(outline.name.empty());
  CHECK(outline.signature == R"("event"S"parse_data"("entities"A"intent"O"name"S)O)");
  CHECK(restyle_json("[1]", JsonStyle::Compact, out, &outline) == Restyled::NotCanonical);
}

TEST_CASE("EventDecoder gives parse_event's events, keeping text already in Rasa's form", "[codec]") {
  const ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  const std::string events[] = {
      // in Rasa's form (as stored): kept as text
      R"({"event": "action", "timestamp": 1.5, "name": "utter_greet", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false})",
      R"({"event": "user", "timestamp": 2, "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": [{"entity": "e", "value": "v"}], "text": "hi", "message_id": "m", "metadata": {}}, "input_channel": "rest", "message_id": "m", "metadata": {}})",
      R"({"event": "slot", "timestamp": 3, "name": "s", "value": {"k": [1, "é"]}})",
      // names and timestamps of every form the decoder reads beside the text
      R"({"event": "action", "timestamp": -2.5e-07, "name": "say \"hi\" \\ now", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false})",
      R"({"event": "slot", "timestamp": 12345678901234, "name": "caf\u00e9", "value": null})",
      R"({"event": "slot", "timestamp": 1630070705.743862, "name": "line\nbreak", "value": true})",
      // the same shapes again: the verdict is reused
      R"({"event": "action", "timestamp": 4.25, "name": "action_listen", "policy": "p", "confidence": 0.5, "action_text": null, "hide_rule_turn": true})",
      // not in Rasa's form: defaults missing, legacy names, falsy timestamps, other key order
      R"({"event": "action", "name": "a"})",
      R"({"event": "form", "timestamp": 5, "name": "f"})",
      R"({"event": "slot", "timestamp": 0, "name": "s", "value": 1})",
      R"({"timestamp": 6, "event": "slot", "name": "s", "value": 1})",
      R"({"event": "bot", "timestamp": 7, "text": "t", "data": null})",
      R"({"event": "reminder", "timestamp": 8, "intent": "i", "date_time": "2021-01-01T00:00:00"})",
      R"({"event": "flow_started", "timestamp": 9, "flow_id": "x"})",
  };
  EventDecoder decoder(ctx);
  for (int round = 0; round < 2; ++round) {
    for (const auto& text : events) {
      INFO(text);
      std::string input = round == 0 ? text : restyled(text, JsonStyle::Compact);
      auto fast = decoder.decode(input);
      auto slow = parse_event(Json::parse(text), ctx);
      REQUIRE(fast);
      REQUIRE(slow);
      REQUIRE(*fast);
      CHECK((**fast).type == (**slow).type);
      CHECK(dump_compact((**fast).data()) == dump_compact((**slow).data()));
      std::string a, b;
      (**fast).append_compact(a);
      (**slow).append_compact(b);
      CHECK(a == b);
      CHECK((**fast).python_text() == dump_python((**slow).data()));
      CHECK((**fast).get("name") == (**slow).get("name"));
      CHECK((**fast).get("name").type() == (**slow).get("name").type());
      CHECK((**fast).timestamp() == (**slow).timestamp());
      CHECK((**fast).timestamp().type() == (**slow).timestamp().type());
      CHECK((**fast).intent_name() == (**slow).intent_name());
      CHECK((**fast).intent_name().type() == (**slow).intent_name().type());
      CHECK((**fast).entities_aliased == (**slow).entities_aliased);
      CHECK(events_equal(**fast, **slow));
    }
  }
  // Not an event object: null, and the text is left for the caller's message.
  std::string not_json = "{oops";
  auto none = decoder.decode(not_json);
  REQUIRE(none);
  CHECK_FALSE(*none);
  CHECK(not_json == "{oops");
}

TEST_CASE("a conversation built from texts equals one built from the DOM, problems included", "[codec]") {
  const ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  Json list = Json::parse(R"([
    {"event": "action", "timestamp": 1, "name": "action_session_start", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false},
    {"event": "session_started", "timestamp": 1},
    {"event": "user", "timestamp": 2, "text": "hi", "parse_data": {"intent": {"name": "greet"}, "entities": [{"entity": "a", "value": 1}]}},
    {"event": "entities", "timestamp": 2.5, "entities": [{"entity": "b", "value": 2}]},
    {"event": "active_loop", "timestamp": 3, "name": "form"},
    {"event": "action", "timestamp": 4, "name": "form", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false},
    {"event": "slot", "timestamp": 5, "name": "x", "value": [1, 2]},
    {"event": "topic", "timestamp": 6},
    {"no": "event"},
    {"event": "action", "timestamp": 7, "name": "form", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}
  ])");
  EventTexts texts;
  for (const auto& e : list) texts.items.push_back(dump_python(e));
  BuildReport dom = inspect_events("c", list, nullptr, BuildOptions{}, ctx);
  BuildReport text = inspect_events("c", texts, nullptr, BuildOptions{}, ctx);
  CHECK(text.warnings == dom.warnings);
  CHECK(text.errors == dom.errors);
  for (auto v : {Verbosity::None, Verbosity::Applied, Verbosity::AfterRestart, Verbosity::All})
    CHECK(text.tracker->state_json(v) == dom.tracker->state_json(v));

  // An item Rasa refuses is refused by both, with the same message.
  texts.items.push_back(R"({"event": "user", "timestamp": 8, "parse_data": null})");
  list.push_back(Json::parse(texts.items.back()));
  auto a = build_tracker("c", list, nullptr, BuildOptions{}, ctx);
  auto b = build_tracker("c", texts, nullptr, BuildOptions{}, ctx);
  REQUIRE_FALSE(a);
  REQUIRE_FALSE(b);
  CHECK(b.error().message == a.error().message);
}

TEST_CASE("a broker body's sender_id is cut out wherever it sits, in either style", "[codec]") {
  const ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  EventDecoder decoder(ctx);
  const std::string want = R"({"event":"slot","timestamp":1.5,"name":"s","value":[1,"é"]})";
  for (const char* body : {R"({"sender_id": "c\u00e9", "event": "slot", "timestamp": 1.5, "name": "s", "value": [1, "\u00e9"]})",
                           R"({"event":"slot","sender_id":"cé","timestamp":1.5,"name":"s","value":[1,"é"]})",
                           R"({"event": "slot", "timestamp": 1.5, "name": "s", "value": [1, "é"], "sender_id": "cé"})"}) {
    INFO(body);
    ClassifiedMessage c = classify_message(body, decoder);
    REQUIRE(c.ok);
    CHECK(c.sender_id == "cé");
    std::string text;
    c.event->append_compact(text);
    CHECK(text == want);
    // A body in json.dumps form gives the event's json.dumps text without rewriting it.
    const bool dumps_form = std::string(body).find("\\u00e9") != std::string::npos || std::string(body).find(", \"sender_id\": \"c") != std::string::npos;
    CHECK(c.python_event == (dumps_form && std::string(body).find("\"é\"") == std::string::npos ? c.event->python_text() : std::string()));
  }
  // Wherever the sender sits in a json.dumps body; a body not in that form (a number written
  // otherwise, other spacing) or an event not in Rasa's form (defaults missing) gives none.
  for (const char* body : {R"({"sender_id": "c", "event": "action", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false})",
                           R"({"event": "action", "sender_id": "c", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false})",
                           R"({"event": "action", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false, "sender_id": "c"})"}) {
    INFO(body);
    ClassifiedMessage c = classify_message(body, decoder);
    REQUIRE(c.ok);
    CHECK(c.python_event == R"({"event": "action", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn": false})");
    CHECK(c.python_event == c.event->python_text());
    CHECK(broker_body("c", c.python_event) == broker_body("c", *c.event));
    // Only the body with its sender first is already the live body (an NDJSON line copies it).
    const bool sender_first = std::string(body).rfind(R"({"sender_id")", 0) == 0;
    CHECK(c.body_is_live == sender_first);
    if (c.body_is_live) CHECK(broker_body("c", c.python_event, BodyOrder::Live) == body);
  }
  for (const char* body : {R"({"sender_id": "c", "event": "action", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.00, "action_text": null, "hide_rule_turn": false})",
                           R"({"sender_id": "c", "event": "action", "timestamp": 2, "name": "a", "policy": null, "confidence": 1.0, "action_text": null, "hide_rule_turn":false})",
                           R"({"sender_id": "c", "event": "action", "timestamp": 2, "name": "a"})"}) {
    INFO(body);
    ClassifiedMessage c = classify_message(body, decoder);
    REQUIRE(c.ok);
    CHECK(c.python_event.empty());
    CHECK_FALSE(c.body_is_live);
  }
  // Only the sender: no event; not a string: the DOM path gives the reason.
  CHECK_FALSE(classify_message(R"({"sender_id": "x"})", decoder).ok);
  ClassifiedMessage bad = classify_message(R"({"sender_id": 5, "event": "restart"})", decoder);
  CHECK_FALSE(bad.ok);
  CHECK(bad.reason == "sender_id is a number, not a conversation id");
}

TEST_CASE("an event kept as text serialises, compares and answers as before", "[codec]") {
  const ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  for (const char* text : {R"({"event": "user", "timestamp": 2, "text": "hé", "parse_data": {"intent": {"name": "greet"}, "entities": [{"entity": "a", "value": 1.5}]}})",
                           R"({"event": "action", "timestamp": 1630570552.676422, "name": "utter_x"})",
                           R"({"event": "reminder", "timestamp": 3, "intent": "i", "date_time": "2021-01-01T00:00:00", "name": "r"})"}) {
    INFO(text);
    auto dom = parse_event(Json::parse(text), ctx);
    auto kept = parse_event(Json::parse(text), ctx);
    REQUIRE(dom);
    REQUIRE(kept);
    (**kept).keep_as_text();
    std::string a, b;
    (**dom).append_compact(a);
    (**kept).append_compact(b);
    CHECK(a == b);
    CHECK((**kept).python_text() == (**dom).python_text());
    CHECK((**kept).name() == (**dom).name());
    CHECK((**kept).get("name") == (**dom).get("name"));
    CHECK((**kept).timestamp() == (**dom).timestamp());
    CHECK((**kept).intent_name() == (**dom).intent_name());
    CHECK(events_equal(**kept, **dom));
    CHECK(dump_compact((**kept).data()) == dump_compact((**dom).data()));
    // Editing builds the data again; the entity list is the event's own, as before.
    CHECK(dump_compact((**kept).nlu_entities()) == dump_compact((**dom).nlu_entities()));
  }
}

namespace {

// for_each_json_item's items, and which of them came with an outline.
Restyled split_items(std::string_view in, std::vector<std::string>& items, std::vector<bool>* outlined = nullptr) {
  items.clear();
  if (outlined) outlined->clear();
  return for_each_json_item(in, JsonStyle::Compact, [&](std::string& item, const JsonOutline* outline) {
    items.push_back(item);
    if (outlined) outlined->push_back(outline != nullptr);
  });
}

}  // namespace

TEST_CASE("for_each_json_item splits an array into item texts, copying odd numbers and keys for the decoder", "[codec]") {
  std::vector<std::string> items;
  std::vector<bool> outlined;
  REQUIRE(split_items(R"( [ {"a": 1.50, "t": "é"}, 2 , "x", {"b": 1, "b": 2}, [], {"c": [1, {"d": null}]} ] )", items, &outlined) == Restyled::Ok);
  CHECK(items == std::vector<std::string>{R"({"a":1.50,"t":"é"})", "2", R"("x")", R"({"b":1,"b":2})", "[]", R"({"c":[1,{"d":null}]})"});
  // Only an object in canonical form is outlined (restyled strictly).
  CHECK(outlined == std::vector<bool>{false, false, false, false, false, true});
  REQUIRE(split_items("[]", items) == Restyled::Ok);
  CHECK(items.empty());
  for (const char* bad : {"[1,", "{}", "[1] 2", "[1 2]", "[1e400]", R"([{"a": 1.50,}])"}) {
    INFO(bad);
    CHECK(split_items(bad, items) == Restyled::Invalid);
  }
  // An odd item decodes through the DOM, to the same event.
  const ParseContext ctx{[] { return 7.5; }, [] { return std::string("uuid-1"); }};
  REQUIRE(split_items(R"([{"event": "slot", "timestamp": 1.50, "name": "s", "value": 1E2}])", items) == Restyled::Ok);
  EventDecoder decoder(ctx);
  auto e = decoder.decode(items[0]);
  REQUIRE(e);
  REQUIRE(*e);
  std::string text;
  (**e).append_compact(text);
  CHECK(text == R"({"event":"slot","timestamp":1.5,"name":"s","value":100.0})");
}
