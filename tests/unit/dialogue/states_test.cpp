// Slot features as Rasa 2.8's slots compute them (the states rules and stories are matched on).
#include <catch2/catch.hpp>

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
