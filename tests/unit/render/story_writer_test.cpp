// Rasa 2.8's YAML story export (GET /conversations/{id}/story, spec http-api.md §3.7). Expected
// texts follow Rasa's rules: get_test_stories (rasa/server.py), Story.from_events over the applied
// events, YAMLStoryWriter in test-story mode, and ruamel.yaml's round-trip layout (indent 2, block
// sequences under their key, `|-` literals, quotes only where a plain scalar would not read back).
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "convo/render/story_writer.hpp"
#include "convo/core/tracker_builder.hpp"

using convo::Json;
using convo::Tracker;

namespace {

convo::ParseContext fixed_context() {
  return {[] { return 1000.0; }, [] { return std::string("uuid"); }};
}

Json ev(const char* type, double ts, Json fields = Json::object()) {
  Json e = {{"event", type}, {"timestamp", ts}};
  for (auto& [k, v] : fields.items()) e[k] = v;
  return e;
}
Json action(Json name, double ts) {
  return ev("action", ts, {{"name", name}});
}
Json listen(double ts) {
  return action("action_listen", ts);
}
Json user(Json text, Json intent, double ts, Json entities = Json::array()) {
  Json parse_data = {
      {"intent", intent.is_null() ? Json::object() : Json{{"name", intent}, {"confidence", 1.0}}},
      {"entities", entities}};
  return ev("user", ts, {{"text", text}, {"parse_data", parse_data}});
}
Json featurization(bool use_text, double ts) {
  return ev("user_featurization", ts, {{"use_text_for_featurization", use_text}});
}
Json slot(Json name, Json value, double ts) {
  return ev("slot", ts, {{"name", name}, {"value", value}});
}
Json loop(Json name, double ts) {
  return ev("active_loop", ts, {{"name", name}});
}
Json session_start(double ts) {
  return Json::array({action("action_session_start", ts), ev("session_started", ts), listen(ts)});
}
Json concat(std::initializer_list<Json> parts) {
  Json out = Json::array();
  for (const auto& p : parts) {
    if (p.is_array())
      for (const auto& e : p) out.push_back(e);
    else
      out.push_back(p);
  }
  return out;
}

std::unique_ptr<Tracker> build(const std::string& id, const Json& events) {
  auto r = convo::build_tracker(id, events, nullptr, {}, fixed_context());
  if (!r) FAIL("build failed: " << r.error().message);
  return std::move(r.value());
}

std::string story(const Json& events, bool all_sessions = false,
                  std::optional<double> until = std::nullopt, const std::string& id = "alice") {
  auto t = build(id, events);
  auto y = convo::try_tracker_story_yaml(*t, all_sessions, until);
  if (!y) FAIL("story export failed: " << y.error().message);
  return *y;
}

std::string story_error(const Json& events) {
  auto t = build("alice", events);
  auto y = convo::try_tracker_story_yaml(*t, false);
  REQUIRE_FALSE(y.ok());
  return y.error().message;
}

// A story document with one story named `name` and these steps (each step already indented).
std::string doc(const std::string& name, const std::string& steps) {
  return "version: \"2.0\"\nstories:\n- story: " + name + "\n  steps:\n" + steps;
}

// One slot_was_set step's text, for quoting checks.
std::string slot_step(const Json& name, const Json& value) {
  const std::string all = story(Json::array({slot(name, value, 1)}));
  const std::string head = doc("alice", "");
  REQUIRE(all.compare(0, head.size(), head) == 0);
  return all.substr(head.size());
}

}  // namespace

TEST_CASE("story: greet, the spec's example", "[story]") {
  Json events = concat({session_start(1), user("hello there", "greet", 2), featurization(false, 2),
                        action("utter_greet", 3), listen(3)});
  CHECK(story(events) == doc("alice",
                             "  - intent: greet\n"
                             "    user: |-\n"
                             "      hello there\n"
                             "  - action: utter_greet\n"));
}

TEST_CASE("story: user steps follow the featurization flag", "[story]") {
  // Predicted from the text (end-to-end): the intent is left out, the text stays.
  Json e2e = concat(
      {session_start(1), user("hi", "greet", 2), featurization(true, 2), action("utter_greet", 3)});
  CHECK(story(e2e) == doc("alice", "  - user: |-\n      hi\n  - action: utter_greet\n"));
  // No featurization event: intent and text both present leave the flag unset -> both written.
  Json plain = concat({session_start(1), user("hi", "greet", 2)});
  CHECK(story(plain) == doc("alice", "  - intent: greet\n    user: |-\n      hi\n"));
  // Text only (no intent name): text written; intent only (no text): intent written.
  Json halves = concat(
      {session_start(1), user("just text", nullptr, 2), listen(3), user(nullptr, "affirm", 4)});
  CHECK(story(halves) == doc("alice", "  - user: |-\n      just text\n  - intent: affirm\n"));
  // Neither: no step at all. An empty text is no text.
  Json empty = concat({session_start(1), user("", nullptr, 2), action("utter_x", 3)});
  CHECK(story(empty) == doc("alice", "  - action: utter_x\n"));
  // A featurization event only counts right after action_listen (here it follows an action).
  Json late = concat(
      {session_start(1), user("hi", "greet", 2), action("utter_greet", 3), featurization(true, 3)});
  CHECK(story(late) ==
        doc("alice", "  - intent: greet\n    user: |-\n      hi\n  - action: utter_greet\n"));
}

TEST_CASE("story: entity annotations in the user text", "[story][entities]") {
  Json berlin = {{"entity", "city"}, {"start", 10}, {"end", 16}, {"value", "Berlin"}};
  Json synonym = {{"entity", "city"}, {"start", 10}, {"end", 16}, {"value", "berlin"}};
  Json role = {
      {"entity", "city"}, {"start", 10}, {"end", 16}, {"value", "Berlin"}, {"role", "from"}};
  auto user_line = [](const Json& entities, const std::string& text = "I live in Berlin") {
    std::string all = story(concat({session_start(1), user(text, "inform", 2, entities)}));
    auto pos = all.find("user: |-\n      ");
    REQUIRE(pos != std::string::npos);
    return all.substr(pos + 15, all.size() - pos - 16);
  };
  CHECK(user_line(Json::array({berlin})) == "I live in [Berlin](city)");
  CHECK(user_line(Json::array({synonym})) ==
        R"(I live in [Berlin]{"entity": "city", "value": "berlin"})");
  CHECK(user_line(Json::array({role})) ==
        R"(I live in [Berlin]{"entity": "city", "role": "from"})");
  // Entities without offsets (as policies and actions add them) are not annotated.
  CHECK(user_line(Json::array({{{"entity", "city"}, {"value", "Berlin"}}})) == "I live in Berlin");
  // Annotations sorted by start; text between them kept.
  Json two = Json::array(
      {{{"entity", "b"}, {"start", 6}, {"end", 7}}, {{"entity", "a"}, {"start", 0}, {"end", 1}}});
  CHECK(user_line(two, "x and y too") == "[x](a) and [y](b) too");
  // Markup already in the text is reduced to its text first; "/intent" texts are kept verbatim.
  CHECK(user_line(Json::array(), "from [Paris](city) to [Rome]{\"entity\": \"city\"}") ==
        "from Paris to Rome");
  CHECK(user_line(Json::array({berlin}), "/inform{\"city\": \"Berlin\"}") ==
        "/inform{\"city\": \"Berlin\"}");
  // Non-ASCII text: offsets count characters; JSON annotations escape as Python's json.dumps.
  Json koeln = {{"entity", "city"}, {"start", 5}, {"end", 9}, {"value", "Cologne"}};
  CHECK(user_line(Json::array({koeln}), "from Köln") ==
        "from [Köln]{\"entity\": \"city\", \"value\": \"Cologne\"}");
  Json umlaut = {{"entity", "city"}, {"start", 5}, {"end", 9}, {"value", "Kölle"}};
  CHECK(user_line(Json::array({umlaut}), "from Köln") ==
        "from [Köln]{\"entity\": \"city\", \"value\": \"K\\u00f6lle\"}");
}

TEST_CASE("story: actions, bot text and the events Rasa leaves out", "[story]") {
  Json events =
      concat({session_start(1), user("hi", "greet", 2), featurization(false, 2),
              action("action_unlikely_intent", 3),
              ev("action", 4, {{"name", nullptr}, {"action_text", "Hi! How can I help?"}}),
              ev("bot", 4, {{"text", "Hi! How can I help?"}}), action("...", 5),
              ev("action", 5, {{"name", ""}}),
              ev("reminder", 6, {{"intent", "remind"}, {"date_time", "2030-01-01T00:00:00"}}),
              ev("followup", 6, {{"name", "utter_x"}}), ev("pause", 6), ev("resume", 6),
              ev("reset_slots", 6), ev("action_execution_rejected", 6, {{"name", "some_form"}}),
              action("utter_bye", 7), listen(8)});
  CHECK(story(events) == doc("alice",
                             "  - intent: greet\n"
                             "    user: |-\n"
                             "      hi\n"
                             "  - bot: Hi! How can I help?\n"
                             "  - action: utter_bye\n"));
}

TEST_CASE("story: slot_was_set values as ruamel writes them", "[story][slots]") {
  CHECK(slot_step("name", "Alice") == "  - slot_was_set:\n    - name: Alice\n");
  CHECK(slot_step("n", 3) == "  - slot_was_set:\n    - n: 3\n");
  CHECK(slot_step("f", 1.0) == "  - slot_was_set:\n    - f: 1.0\n");
  CHECK(slot_step("f", 1e20) == "  - slot_was_set:\n    - f: 1e+20\n");
  CHECK(slot_step("b", true) == "  - slot_was_set:\n    - b: true\n");
  CHECK(slot_step("x", nullptr) == "  - slot_was_set:\n    - x: null\n");
  CHECK(slot_step("l", Json::array()) == "  - slot_was_set:\n    - l: []\n");
  CHECK(slot_step("d", Json::object()) == "  - slot_was_set:\n    - d: {}\n");
  CHECK(slot_step("l", Json::array({"a", 1, Json::array({2, 3}), {{"k", "v"}, {"q", nullptr}}})) ==
        "  - slot_was_set:\n"
        "    - l:\n"
        "      - a\n"
        "      - 1\n"
        "      - - 2\n"
        "        - 3\n"
        "      - k: v\n"
        "        q: null\n");
  CHECK(slot_step("d",
                  {{"street", "Main St"}, {"tags", Json::array({"x"})}, {"geo", {{"lat", 1.5}}}}) ==
        "  - slot_was_set:\n"
        "    - d:\n"
        "        street: Main St\n"
        "        tags:\n"
        "        - x\n"
        "        geo:\n"
        "          lat: 1.5\n");
  // Strings a plain scalar would read back as something else, or could not hold, are quoted.
  auto value_of = [](const Json& v) {
    std::string s = slot_step("s", v);
    return s.substr(27, s.size() - 28);  // after "  - slot_was_set:\n    - s: ", without "\n"
  };
  CHECK(value_of("123") == "'123'");
  CHECK(value_of("1.5") == "'1.5'");
  CHECK(value_of("true") == "'true'");
  CHECK(value_of("yes") == "yes");  // YAML 1.2: not a boolean
  CHECK(value_of("null") == "'null'");
  CHECK(value_of("~") == "'~'");
  CHECK(value_of("") == "''");
  CHECK(value_of("2021-01-01") == "'2021-01-01'");
  CHECK(value_of("a: b") == "'a: b'");
  CHECK(value_of("a:b") == "a:b");
  CHECK(value_of("#tag") == "'#tag'");
  CHECK(value_of("a #b") == "'a #b'");
  CHECK(value_of("a#b") == "a#b");
  CHECK(value_of("- x") == "'- x'");
  CHECK(value_of("it's") == "it's");
  CHECK(value_of("'quoted'") == "\"'quoted'\"");
  CHECK(value_of(" lead") == "' lead'");
  CHECK(value_of("two\nlines") == "\"two\\nlines\"");
  CHECK(value_of("tab\there") == "\"tab\\there\"");
  CHECK(value_of("back\\slash") == "back\\slash");
  CHECK(value_of("Grüße 😀") == "Grüße 😀");
  CHECK(value_of("x\xC2\xA0y") == "x\xC2\xA0y");  // non-breaking space is printable
  // Slot names are keys: quoted by the same rules; a non-string name keeps its type.
  CHECK(slot_step("123", "v") == "  - slot_was_set:\n    - '123': v\n");
  CHECK(slot_step(5, "v") == "  - slot_was_set:\n    - 5: v\n");
  // A key of 123+ characters is no simple key: written as `? key` / `: value`.
  const std::string long_key(130, 'k');
  CHECK(slot_step(long_key, "v") == "  - slot_was_set:\n    - ? " + long_key + "\n      : v\n");
}

TEST_CASE("story: long scalars wrap at ruamel's width 4096", "[story][slots]") {
  std::string text;
  for (int i = 0; i < 900; ++i) text += "word ";
  text += "end";
  // "    - s: " is 9 columns; after word k the column is 8 + 5k, first over 4096 at k = 818.
  std::string first, rest;
  for (int i = 0; i < 818; ++i) first += (i ? " word" : "word");
  for (int i = 818; i < 900; ++i) rest += "word ";
  rest += "end";
  CHECK(slot_step("s", text) ==
        "  - slot_was_set:\n    - s: " + first + "\n        " + rest + "\n");
  // Literal user text never wraps.
  std::string all = story(concat({session_start(1), user(text, "inform", 2)}));
  CHECK(all == doc("alice", "  - intent: inform\n    user: |-\n      " + text + "\n"));
}

TEST_CASE("story: literal block styles for the user text", "[story]") {
  auto steps_of = [](const std::string& text) {
    return story(concat({session_start(1), user(text, "inform", 2), action("utter_ok", 3)}));
  };
  CHECK(steps_of("line one\nline two") == doc("alice",
                                              "  - intent: inform\n    user: |-\n      line one\n  "
                                              "    line two\n  - action: utter_ok\n"));
  CHECK(steps_of("para\n\nnext") ==
        doc("alice",
            "  - intent: inform\n    user: |-\n      para\n\n      next\n  - action: utter_ok\n"));
  CHECK(steps_of("ends with newline\n") ==
        doc("alice",
            "  - intent: inform\n    user: |\n      ends with newline\n  - action: utter_ok\n"));
  CHECK(steps_of("two newlines\n\n") ==
        doc("alice",
            "  - intent: inform\n    user: |+\n      two newlines\n\n  - action: utter_ok\n"));
  CHECK(
      steps_of("  indented") ==
      doc("alice", "  - intent: inform\n    user: |2-\n        indented\n  - action: utter_ok\n"));
  CHECK(steps_of("trailing space ") ==
        doc("alice",
            "  - intent: inform\n    user: |-\n      trailing space \n  - action: utter_ok\n"));
  // A `|+` scalar that ends the document leaves it open-ended: ruamel closes it with `...`.
  CHECK(story(concat({session_start(1), user("last\n\n", "inform", 2)})) ==
        doc("alice", "  - intent: inform\n    user: |+\n      last\n\n...\n"));
}

TEST_CASE("story: a form, collapsed to its applied events, with active_loop set and reset",
          "[story][loop]") {
  Json entities =
      Json::array({{{"entity", "cuisine"}, {"start", 0}, {"end", 7}, {"value", "italian"}}});
  Json events = concat(
      {session_start(1), user("I want a restaurant", "request_restaurant", 2),
       featurization(false, 2), action("restaurant_form", 3), loop("restaurant_form", 3),
       slot("requested_slot", "cuisine", 3), listen(3), user("italian", "inform", 4, entities),
       featurization(false, 4), action("restaurant_form", 5), slot("cuisine", "italian", 5),
       slot("requested_slot", nullptr, 5), loop(nullptr, 5), action("utter_submit", 6), listen(6)});
  // The second run of the form on its happy path removes the user turn in between (applied events).
  CHECK(story(events) == doc("alice",
                             "  - intent: request_restaurant\n"
                             "    user: |-\n"
                             "      I want a restaurant\n"
                             "  - action: restaurant_form\n"
                             "  - active_loop: restaurant_form\n"
                             "  - slot_was_set:\n"
                             "    - requested_slot: cuisine\n"
                             "  - slot_was_set:\n"
                             "    - cuisine: italian\n"
                             "  - slot_was_set:\n"
                             "    - requested_slot: null\n"
                             "  - active_loop: null\n"
                             "  - action: utter_submit\n"));
  // The legacy `form` event is an active_loop step too.
  CHECK(story(Json::array({ev("form", 1, {{"name", "old_form"}})})) ==
        doc("alice", "  - active_loop: old_form\n"));
}

TEST_CASE("story: rewind, undo and restart leave only applied events", "[story]") {
  Json rewound =
      concat({session_start(1), user("hi", "greet", 2), action("utter_greet", 3), listen(3),
              user("blah", "nlu_fallback", 4), action("action_default_fallback", 5),
              ev("rewind", 5), listen(6), user("bye", "goodbye", 7), action("utter_bye", 8)});
  CHECK(story(rewound) == doc("alice",
                              "  - intent: greet\n    user: |-\n      hi\n"
                              "  - action: utter_greet\n"
                              "  - intent: goodbye\n    user: |-\n      bye\n"
                              "  - action: utter_bye\n"));
  Json undone = concat({session_start(1), user("hi", "greet", 2), action("utter_wrong", 3),
                        ev("undo", 3), action("utter_greet", 4)});
  CHECK(story(undone) ==
        doc("alice", "  - intent: greet\n    user: |-\n      hi\n  - action: utter_greet\n"));
  Json restarted = concat({session_start(1), user("hi", "greet", 2), action("utter_greet", 3),
                           ev("restart", 4), user("again", "greet", 5)});
  CHECK(story(restarted) == doc("alice", "  - intent: greet\n    user: |-\n      again\n"));
}

TEST_CASE("story: sessions, story names and until", "[story][sessions]") {
  Json events = concat({session_start(1), user("hi", "greet", 2), action("utter_greet", 3),
                        session_start(10), user("bye", "goodbye", 11), action("utter_bye", 12)});
  const std::string first = "  - intent: greet\n    user: |-\n      hi\n  - action: utter_greet\n";
  const std::string second =
      "  - intent: goodbye\n    user: |-\n      bye\n  - action: utter_bye\n";
  // One tracker: its applied events start at the last session_started.
  CHECK(story(events) == doc("alice", second));
  // all_sessions: one story per session, numbered when there are several.
  CHECK(story(events, true) ==
        "version: \"2.0\"\nstories:\n"
        "- story: alice, story 1\n  steps:\n" +
            first + "- story: alice, story 2\n  steps:\n" + second);
  // until cuts each session's tracker; a session left empty is dropped, and a single remaining
  // story is not numbered.
  CHECK(story(events, true, 11.0) ==
        "version: \"2.0\"\nstories:\n"
        "- story: alice, story 1\n  steps:\n" +
            first +
            "- story: alice, story 2\n  steps:\n"
            "  - intent: goodbye\n    user: |-\n      bye\n");
  CHECK(story(events, true, 5.0) == doc("alice", first));
  CHECK(story(events, false, 2.0) == doc("alice", "  - intent: greet\n    user: |-\n      hi\n"));
  CHECK(story(events, true, 0.5) == "version: \"2.0\"\n");
  CHECK(story(events, false, 0.5) == "version: \"2.0\"\n");
  // A session whose events leave no steps still is a story.
  Json bare = concat({session_start(1), session_start(5), user("x", "greet", 6)});
  CHECK(story(bare, true) ==
        "version: \"2.0\"\nstories:\n- story: alice, story 1\n  steps: []\n"
        "- story: alice, story 2\n  steps:\n  - intent: greet\n    user: |-\n      x\n");
  // Story names are quoted like any other string.
  CHECK(story(Json::array({action("utter_x", 1)}), false, std::nullopt, "123") ==
        doc("'123'", "  - action: utter_x\n"));
  CHECK(story(Json::array({action("utter_x", 1)}), true, std::nullopt, "a: b") ==
        doc("'a: b'", "  - action: utter_x\n"));
}

TEST_CASE("story: errors Rasa raises while writing", "[story][errors]") {
  // An annotation in the text whose braces do not hold JSON.
  CHECK(story_error(Json::array({user("see [x]{nope}", "inform", 1)}))
            .find("Incorrect training data format") == 0);
  // ... or whose JSON lacks the entity name.
  CHECK(story_error(Json::array({user("see [x]{\"value\": \"y\"}", "inform", 1)}))
            .find("'entity' is a required") == 0);
  // An intent name with two '/'.
  CHECK(story_error(Json::array({user("hi", "a/b/c", 1)})) ==
        "Intent name 'a/b/c' is invalid, it cannot contain more than one '/'.");
  // Entity offsets that are not integers.
  Json floats = Json::array({{{"entity", "x"}, {"start", 0.5}, {"end", 1}}});
  CHECK(story_error(Json::array({user("hi", "greet", 1, floats)}))
            .find("slice indices must be integers") == 0);
  // The throwing variant.
  auto t = build("alice", Json::array({user("hi", "a/b/c", 1)}));
  CHECK_THROWS_AS(convo::tracker_story_yaml(*t, false), std::runtime_error);
  // Without the text, the intent is not split: no error.
  CHECK(story(Json::array({user(nullptr, "a/b/c", 1)})) == doc("alice", "  - intent: a/b/c\n"));
}
