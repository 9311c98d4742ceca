// Responses as Rasa 2.8 fills them: Python str.format rules for placeholders, the variation chosen
// by condition and channel, the bot event, and the collecting channel's message objects.
#include <catch2/catch.hpp>

#include "convo/dialogue/nlg.hpp"

using namespace convo;
using namespace convo::dialogue;

namespace {

std::string fill(const std::string& text, const Json& values, std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> local;
  auto r = interpolate_text(text, values, warnings ? *warnings : local);
  REQUIRE(r.ok());
  return *r;
}

Chooser first() {
  return [](std::size_t) { return std::size_t{0}; };
}

}  // namespace

TEST_CASE("interpolate_text: Python's str.format rules", "[dialogue][nlg]") {
  const Json values = {{"name", "Ada"}, {"n", 4}, {"f", 2.0}, {"none", nullptr}, {"flag", true}, {"list", {"a", "b"}}};
  CHECK(fill("Hi {name}!", values) == "Hi Ada!");
  CHECK(fill("{n} people, {f} hours", values) == "4 people, 2.0 hours");
  CHECK(fill("Bye {none}", values) == "Bye None");
  CHECK(fill("{flag} {list}", values) == "True ['a', 'b']");
  CHECK(fill("no placeholders", values) == "no placeholders");
  CHECK(fill("escaped {{name}}", values) == "escaped {name}");
  std::vector<std::string> warnings;
  CHECK(fill("/inform{\"cuisine\": \"thai\"}", values, &warnings) == "/inform{\"cuisine\": \"thai\"}");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("Failed to replace placeholders") != std::string::npos);
  CHECK(fill("{missing} and {name}", values) == "{missing} and {name}");  // one KeyError: all unchanged
  std::vector<std::string> none;
  CHECK_FALSE(interpolate_text("Bye { x", values, none).ok());     // ValueError: the action fails
  CHECK_FALSE(interpolate_text("a } b", values, none).ok());
  CHECK_FALSE(interpolate_text("after {} {name}", values, none).ok());
}

TEST_CASE("generate_response: condition and channel choose the variation", "[dialogue][nlg]") {
  const Json responses = Json::parse(R"({"utter_mood": [
    {"text": "Great you are happy", "condition": [{"type": "slot", "name": "mood", "value": "happy"}]},
    {"text": "Mood is {mood}"},
    {"text": "on the queue", "channel": "queue"}],
    "utter_empty_condition": [{"text": "never", "condition": []}]})");
  std::vector<std::string> warnings;
  auto happy = generate_response(responses, "utter_mood", {{"mood", "happy"}}, "collector", Json::object(), first(), warnings);
  REQUIRE(happy.ok());
  REQUIRE(happy->has_value());
  CHECK((**happy)["text"] == "Great you are happy");
  auto sad = generate_response(responses, "utter_mood", {{"mood", "sad"}}, "collector", Json::object(), first(), warnings);
  CHECK((**sad)["text"] == "Mood is sad");
  auto queue = generate_response(responses, "utter_mood", {{"mood", "sad"}}, "queue", Json::object(), first(), warnings);
  CHECK((**queue)["text"] == "on the queue");  // a default for the channel beats a plain default
  auto kw = generate_response(responses, "utter_mood", {{"mood", "sad"}}, "collector", {{"mood", "given"}}, first(), warnings);
  CHECK((**kw)["text"] == "Mood is given");  // kwargs override slots
  auto none = generate_response(responses, "utter_empty_condition", Json::object(), "collector", Json::object(), first(), warnings);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  auto missing = generate_response(responses, "utter_nothing", Json::object(), "collector", Json::object(), first(), warnings);
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("bot_event_for and collector_messages: Rasa's bot event and REST objects", "[dialogue][nlg]") {
  Json message = {{"text", "Hi!\n\nHow can I help?"}, {"image", "https://x/y.png"}, {"utter_action", "utter_hi"},
                  {"condition", {{{"name", "a"}}}}};
  Json event = bot_event_for(message, 5.0);
  CHECK(event["text"] == "Hi!\n\nHow can I help?");
  CHECK(event["data"]["attachment"] == "https://x/y.png");  // the image doubles as the attachment
  CHECK(event["metadata"] == Json{{"utter_action", "utter_hi"}, {"condition", {{{"name", "a"}}}}});
  auto objects = collector_messages(event, "u1");
  REQUIRE(objects.size() == 3);
  CHECK(objects[0] == Json{{"recipient_id", "u1"}, {"text", "Hi!"}});
  CHECK(objects[1] == Json{{"recipient_id", "u1"}, {"text", "How can I help?"}});
  CHECK(objects[2] == Json{{"recipient_id", "u1"}, {"image", "https://x/y.png"}});

  Json buttons = bot_event_for({{"text", "Sure?"}, {"buttons", {{{"title", "Yes"}, {"payload", "/affirm"}}}}}, 1);
  auto b = collector_messages(buttons, "u1");
  REQUIRE(b.size() == 1);
  CHECK(b[0]["buttons"][0]["payload"] == "/affirm");
  Json rich = bot_event_for({{"custom", {{"card", 7}}}, {"attachment", {{"type", "file"}}},
                             {"elements", {{{"title", "Room A"}, {"subtitle", "2 beds"}}}}}, 1);
  auto r = collector_messages(rich, "u1");
  REQUIRE(r.size() == 3);
  CHECK(r[0] == Json{{"recipient_id", "u1"}, {"custom", {{"card", 7}}}});
  CHECK(r[1]["attachment"]["type"] == "file");
  CHECK(r[2] == Json{{"recipient_id", "u1"}, {"text", "Room A : 2 beds"}, {"buttons", Json::array()}});
}
