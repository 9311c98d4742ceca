// RulePolicy and MemoizationPolicy as Rasa 2.8 combines them, and the prediction memory that makes
// repeated predictions incremental (it must never change an answer).
#include <catch2/catch.hpp>

#include "convo/core/domain.hpp"
#include "convo/core/event.hpp"
#include "convo/dialogue/policy.hpp"
#include "convo/dialogue/processor.hpp"

using namespace convo;
using namespace convo::dialogue;

namespace {

const char* kDomain = R"(version: "2.0"
intents: [greet, goodbye, mood, affirm, restart]
entities: [mood]
slots:
  mood:
    type: categorical
    values: [happy, sad]
responses:
  utter_greet: [{text: "Hi"}]
  utter_goodbye: [{text: "Bye"}]
  utter_happy: [{text: "Great"}]
  utter_sad: [{text: "Oh no"}]
)";

const char* kRules = R"(version: "2.0"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: bye
  steps:
  - intent: goodbye
  - action: utter_goodbye
)";

const char* kStories = R"(version: "2.0"
stories:
- story: happy
  steps:
  - intent: mood
    entities:
    - mood: happy
  - slot_was_set:
    - mood: happy
  - action: utter_happy
- story: sad
  steps:
  - intent: mood
    entities:
    - mood: sad
  - slot_was_set:
    - mood: sad
  - action: utter_sad
)";

std::shared_ptr<const Bot> make_bot() {
  auto domain = domain_from_yaml(kDomain, "domain.yml");
  REQUIRE(domain);
  Json config = {{"policies", Json::array({{{"name", "MemoizationPolicy"}, {"max_history", 5}}, {{"name", "RulePolicy"}}})}};
  auto bot = build_bot(std::make_shared<const Domain>(std::move(*domain)), config, {{"rules.yml", kRules}, {"stories.yml", kStories}});
  REQUIRE(bot);
  return *bot;
}

EventPtr event(Json e) {
  if (!e.contains("timestamp")) e["timestamp"] = 1.0;
  auto parsed = parse_event(e, system_parse_context());
  REQUIRE(parsed);
  return *parsed;
}

Json user(const std::string& intent, Json entities = Json::array()) {
  return {{"event", "user"}, {"text", "/" + intent}, {"parse_data", {{"intent", {{"name", intent}, {"confidence", 1.0}}}, {"entities", entities}}}};
}
Json action(const std::string& name) { return {{"event", "action"}, {"name", name}}; }

Tracker started(const std::shared_ptr<const Bot>& bot) {
  Tracker t("u", bot->domain);
  for (const Json& e : {action("action_session_start"), Json{{"event", "session_started"}}, action("action_listen")})
    REQUIRE_FALSE(t.update(event(e)));
  return t;
}

}  // namespace

TEST_CASE("a rule answers its intent, then listens", "[dialogue][policy]") {
  auto bot = make_bot();
  Tracker t = started(bot);
  REQUIRE_FALSE(t.update(event(user("greet"))));
  Prediction p = bot->policies->predict(t);
  CHECK(p.action == "utter_greet");
  CHECK(p.policy == "policy_1_RulePolicy");  // the config's second policy
  CHECK(p.confidence == 1.0);
  REQUIRE_FALSE(t.update(event(action("utter_greet"))));
  p = bot->policies->predict(t);
  CHECK(p.action == "action_listen");
  CHECK(p.confidence == 1.0);
}

TEST_CASE("memoization follows the stories, slots included", "[dialogue][policy]") {
  auto bot = make_bot();
  for (const char* mood : {"happy", "sad"}) {
    Tracker t = started(bot);
    REQUIRE_FALSE(t.update(event(user("mood", Json::array({{{"entity", "mood"}, {"value", mood}}})))));
    REQUIRE_FALSE(t.update(event({{"event", "slot"}, {"name", "mood"}, {"value", mood}})));
    Prediction p = bot->policies->predict(t);
    CHECK(p.action == std::string("utter_") + mood);
    CHECK(p.policy == "policy_0_MemoizationPolicy");
  }
}

TEST_CASE("nothing applies: the core fallback at its threshold", "[dialogue][policy]") {
  auto bot = make_bot();
  Tracker t = started(bot);
  REQUIRE_FALSE(t.update(event(user("affirm"))));
  Prediction p = bot->policies->predict(t);
  CHECK(p.action == "action_default_fallback");
  CHECK(p.confidence == Approx(0.3));
  CHECK(p.policy == "policy_1_RulePolicy");
}

TEST_CASE("a pending follow-up action comes first", "[dialogue][policy]") {
  auto bot = make_bot();
  Tracker t = started(bot);
  REQUIRE_FALSE(t.update(event(user("greet"))));
  REQUIRE_FALSE(t.update(event({{"event", "followup"}, {"name", "utter_goodbye"}})));
  Prediction p = bot->policies->predict(t);
  CHECK(p.action == "utter_goodbye");
  CHECK(p.policy == "followup_action");
}

TEST_CASE("the prediction memory never changes an answer", "[dialogue][policy]") {
  auto bot = make_bot();
  // A conversation with appends, a rewind, an undo and a restart: after every event, the
  // prediction with one memory kept throughout equals the prediction made from scratch.
  std::vector<Json> script = {
      user("greet"), action("utter_greet"), action("action_listen"),
      user("mood", Json::array({{{"entity", "mood"}, {"value", "sad"}}})), Json{{"event", "slot"}, {"name", "mood"}, {"value", "sad"}},
      action("utter_sad"), action("action_listen"), user("affirm"), Json{{"event", "rewind"}},
      user("goodbye"), action("utter_goodbye"), Json{{"event", "undo"}}, action("action_listen"),
      Json{{"event", "restart"}}, action("action_listen"), user("greet"),
      user("mood", Json::array({{{"entity", "mood"}, {"value", "happy"}}})), Json{{"event", "slot"}, {"name", "mood"}, {"value", "happy"}},
  };
  Tracker t = started(bot);
  PredictionMemory memory;
  std::size_t differences = 0, checked = 0;
  for (const Json& e : script) {
    REQUIRE_FALSE(t.update(event(e)));
    Prediction fresh = bot->policies->predict(t);
    Prediction remembered = bot->policies->predict(t, &memory);
    Prediction again = bot->policies->predict(t, &memory);  // twice: nothing new to replay
    for (const Prediction* p : {&remembered, &again}) {
      ++checked;
      if (p->action != fresh.action || p->policy != fresh.policy || p->confidence != fresh.confidence || p->scores != fresh.scores)
        ++differences;
    }
  }
  CHECK(checked == 2 * script.size());
  CHECK(differences == 0);
  // A memory filled by one model is not trusted by another (a model swap).
  auto other = make_bot();
  CHECK(other->policies->predict(t, &memory).action == other->policies->predict(t).action);
}

TEST_CASE("a long conversation is predicted as a short one (old states are dropped, not needed)", "[dialogue][policy]") {
  auto bot = make_bot();
  Tracker t = started(bot);
  PredictionMemory memory;
  auto turn = [&](const Json& message, std::vector<Json> extra = {}) {
    REQUIRE_FALSE(t.update(event(message)));
    for (const auto& e : extra) REQUIRE_FALSE(t.update(event(e)));
    Prediction p = bot->policies->predict(t, &memory);
    REQUIRE_FALSE(t.update(event(action(p.action))));
    REQUIRE_FALSE(t.update(event(action("action_listen"))));
    return p;
  };
  // Hundreds of turns: far more states than any rule or max_history reaches.
  for (int i = 0; i < 300; ++i) {
    INFO("turn " << i);
    Prediction greet = turn(user(i % 3 ? "greet" : "goodbye"));
    REQUIRE(greet.action == (i % 3 ? "utter_greet" : "utter_goodbye"));
    REQUIRE(greet.policy == "policy_1_RulePolicy");
    if (i % 50 == 0) {  // the memory kept throughout agrees with one built from scratch
      REQUIRE_FALSE(t.update(event(user("greet"))));
      Prediction kept = bot->policies->predict(t, &memory);
      Prediction fresh = bot->policies->predict(t);
      REQUIRE(kept.action == fresh.action);
      REQUIRE(kept.scores == fresh.scores);
      REQUIRE_FALSE(t.update(event(action(kept.action))));
      REQUIRE_FALSE(t.update(event(action("action_listen"))));
    }
  }
  REQUIRE_FALSE(t.update(event(user("affirm"))));
  Prediction fallback = bot->policies->predict(t, &memory);
  CHECK(fallback.action == "action_default_fallback");
  CHECK(fallback.confidence == Approx(0.3));
  // The memory kept through the turns and one built from scratch agree.
  Prediction fresh = bot->policies->predict(t);
  CHECK(fresh.action == fallback.action);
  CHECK(fresh.scores == fallback.scores);
}
