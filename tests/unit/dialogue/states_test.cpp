// Slot features as Rasa 2.8's slots compute them (the states rules and stories are matched on).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "convo/core/domain.hpp"
#include "convo/core/event.hpp"
#include "convo/core/tracker.hpp"
#include "convo/dialogue/states.hpp"

using namespace convo;
using namespace convo::dialogue;

namespace {

SlotDef slot(const char* type) {
  SlotDef s;
  s.name = "x";
  s.type = type;
  return s;
}

}  // namespace

TEST_CASE("slot_features per slot type", "[dialogue][states]") {
  CHECK(slot_features(slot("text"), "a") == Json::array({1.0}));
  CHECK(slot_features(slot("text"), nullptr) == Json::array({0.0}));
  CHECK(slot_features(slot("bool"), true) == Json::array({1.0, 1.0}));
  CHECK(slot_features(slot("bool"), "false") == Json::array({1.0, 0.0}));
  CHECK(slot_features(slot("bool"), "maybe") == Json::array({0.0, 0.0}));
  SlotDef f = slot("float");
  f.min_value = 0.0;
  f.max_value = 10.0;
  CHECK(slot_features(f, 5) == Json::array({1.0, 0.5}));
  CHECK(slot_features(f, 50) == Json::array({1.0, 1.0}));
  CHECK(slot_features(f, "2.5") == Json::array({1.0, 0.25}));
  CHECK(slot_features(f, "abc") == Json::array({0.0, 0.0}));
  CHECK(slot_features(slot("list"), Json::array({"a"})) == Json::array({1.0}));
  CHECK(slot_features(slot("list"), Json::array()) == Json::array({0.0}));
  SlotDef c = slot("categorical");
  c.values = {"happy", "sad", "__other__"};
  CHECK(slot_features(c, "Sad") == Json::array({0.0, 1.0, 0.0}));
  CHECK(slot_features(c, "angry") == Json::array({0.0, 0.0, 1.0}));
  CHECK(slot_features(c, nullptr) == Json::array({0.0, 0.0, 0.0}));
  CHECK(slot_features(slot("any"), "x").empty());
}

TEST_CASE("key_of is json.dumps with sorted keys", "[dialogue][states]") {
  std::vector<Json> states = {Json::object(), {{"prev_action", {{"action_name", "action_listen"}}}, {"user", {{"intent", "greet"}}}}};
  CHECK(key_of(states) == R"([{}, {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}])");
}

TEST_CASE("a user state keeps the entities its intent uses, as Rasa 2.8.12's domain filters them",
          "[dialogue][states]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(CONVO_SOURCE_DIR) / "tests/fixtures/domain_oracle";
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto domain = domain_from_yaml(read(dir / "intents.yml"), "intents.yml");
  REQUIRE(domain.ok());
  auto shared = std::make_shared<const Domain>(std::move(*domain));
  const Json facts = Json::parse(read(dir / "intents.states.json"));
  const ParseContext ctx = system_parse_context();
  for (const auto& [intent, entities] : facts["state_entities"].items()) {
    INFO("intent " << intent);
    Tracker t("u", shared);
    for (const Json& e : {Json{{"event", "action"}, {"name", "action_listen"}},
                          Json{{"event", "user"}, {"text", "x"},
                               {"parse_data", {{"intent", {{"name", intent}, {"confidence", 1.0}}},
                                               {"entities", facts["message_entities"]}}}}}) {
      auto parsed = parse_event(e, ctx);
      REQUIRE(parsed.ok());
      REQUIRE_FALSE(t.update(*parsed));
    }
    const Json state = current_state_of(t);
    const Json got = state.contains("user") && state["user"].contains("entities") ? state["user"]["entities"] : Json::array();
    CHECK(got == entities);
  }
}
