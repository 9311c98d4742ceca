// Domain loading: the oracle's dict domains (what Rasa 2.8.12 made of them) and YAML files.
#include "convo/core/domain.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using convo::Domain;
using convo::Json;

namespace {

Json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

std::vector<std::string> names_of(const Domain& d) {
  std::vector<std::string> out;
  for (const auto& s : d.slots) out.push_back(s.name);
  return out;
}

// Field by field against an expected.json "domain" section.
void check_against_oracle(const Domain& got, const Json& want) {
  REQUIRE(got.slots.size() == want["slots"].size());
  for (std::size_t i = 0; i < got.slots.size(); ++i) {
    const auto& slot = got.slots[i];
    const Json& w = want["slots"][i];
    INFO("slot " << w["name"]);
    CHECK(slot.name == w["name"]);
    CHECK(slot.type == w["type"]);
    CHECK(slot.class_name == w["class"]);
    CHECK(slot.initial_value.dump() == w["initial_value"].dump());
    CHECK(slot.auto_fill == w["auto_fill"].get<bool>());
    CHECK(slot.influence_conversation == w["influence_conversation"].get<bool>());
    if (w.contains("min_value")) {
      // dump() also compares the number type: an int bound must stay an int.
      CHECK(slot.min_value.dump() == w["min_value"].dump());
      CHECK(slot.max_value.dump() == w["max_value"].dump());
    }
    if (w.contains("values")) CHECK(Json(slot.values) == w["values"]);
  }
  CHECK(got.session_config.session_expiration_time.dump() ==
        want["session_config"]["session_expiration_time"].dump());
  CHECK(got.session_config.carry_over_slots == want["session_config"]["carry_over_slots"]);
  CHECK(got.store_entities_as_slots == want["store_entities_as_slots"].get<bool>());
  CHECK(Json(got.intents) == want["intents"]);
  CHECK(Json(got.form_names) == want["form_names"]);
}

const char* const kSource = "domain.yml";

convo::Result<Domain> load(const std::string& yaml) {
  return convo::domain_from_yaml(yaml, kSource);
}

Domain load_ok(const std::string& yaml) {
  auto result = load(yaml);
  if (!result) FAIL("unexpected error: " << result.error().message);
  return std::move(result.value());
}

std::string load_error(const std::string& yaml) {
  auto result = load(yaml);
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// Rasa's default intents, as every loaded domain lists them (sorted).
const std::vector<std::string> kDefaultIntents = {"back", "nlu_fallback", "out_of_scope", "restart",
                                                  "session_start"};

}  // namespace

TEST_CASE("domain: every oracle dict domain loads as Rasa 2.8.12 loaded it", "[domain][oracle]") {
  const auto dir = std::filesystem::path(CONVO_SHARED_DIR) / "fixtures" / "oracle";
  int checked = 0, failing = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".json" || file.find(".expected.") != std::string::npos)
      continue;
    const Json input = read_json(entry.path());
    if (!input.contains("domain") || input["domain"].is_null()) continue;
    const std::string stem = file.substr(0, file.size() - 5);
    const Json expected = read_json(dir / (stem + ".expected.json"));
    INFO("case " << stem);
    auto result = convo::domain_from_json(input["domain"], stem);
    ++checked;
    const Json& want = expected["domain"];
    if (want.contains("error")) {
      ++failing;
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().message.rfind(stem + ": ", 0) == 0);
      if (want["error"]["exception_class"] == "InvalidSlotConfigError")
        CHECK_THAT(result.error().message,
                   Catch::Contains(want["error"]["message"].get<std::string>()));
      continue;
    }
    if (!result) FAIL(result.error().message);
    check_against_oracle(*result, want);
    std::vector<std::string> warnings;
    for (const auto& w : expected["warnings"]) warnings.push_back(w["message"]);
    CHECK(result->warnings == warnings);
  }
  CHECK(checked >= 70);
  CHECK(failing == 2);
}

TEST_CASE("domain: built-in slot types and their defaults", "[domain]") {
  Domain d = load_ok(R"(
slots:
  t: {type: text}
  b: {type: bool, initial_value: true}
  c: {type: categorical, values: [A]}
  f: {type: float}
  l: {type: list, initial_value: x, auto_fill: false}
  a: {type: any}
  u: {type: unfeaturized, value_reset_delay: 3}
  n: {type: text, influence_conversation: false}
)");
  REQUIRE(names_of(d) == std::vector<std::string>{"t", "b", "c", "f", "l", "a", "u", "n",
                                                  "session_started_metadata"});
  const std::vector<std::string> classes = {"TextSlot",         "BooleanSlot", "CategoricalSlot",
                                            "FloatSlot",        "ListSlot",    "AnySlot",
                                            "UnfeaturizedSlot", "TextSlot",    "AnySlot"};
  const std::vector<bool> influence = {true, true, true, true, true, false, false, false, false};
  for (std::size_t i = 0; i < d.slots.size(); ++i) {
    INFO(d.slots[i].name);
    CHECK(d.slots[i].class_name == classes[i]);
    CHECK(d.slots[i].influence_conversation == influence[i]);
    CHECK(d.slots[i].auto_fill == (d.slots[i].name != "l"));
  }
  CHECK(d.find_slot("t")->initial_value.is_null());
  CHECK(d.find_slot("b")->initial_value == true);
  CHECK(d.find_slot("l")->initial_value == "x");  // raw: the tracker wraps it
  CHECK(d.find_slot("l")->is_list());
  CHECK(d.find_slot("f")->min_value.dump() == "0.0");
  CHECK(d.find_slot("f")->max_value.dump() == "1.0");
  CHECK(d.find_slot("c")->values == std::vector<std::string>{"a", "__other__"});
  CHECK(d.find_slot("missing") == nullptr);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::StartsWith("UnfeaturizedSlot is deprecated"));
  CHECK(d.intents == kDefaultIntents);
  CHECK(d.session_config.session_expiration_time == 60);
  CHECK(d.session_config.carry_over_slots == true);
  CHECK(d.store_entities_as_slots);
}

TEST_CASE("domain: custom slot classes are kept with their extra keys", "[domain]") {
  Domain d = load_ok(R"(
slots:
  c:
    type: addons.slots.MySlot
    initial_value: 3
    colour: blue
  l:
    type: rasa.shared.core.slots.ListSlot
)");
  const auto* c = d.find_slot("c");
  REQUIRE(c);
  CHECK(c->type == "addons.slots.MySlot");
  CHECK(c->class_name == "MySlot");
  CHECK(c->initial_value == 3);
  CHECK(c->extra == Json{{"colour", "blue"}});
  // Rasa's own classes by path behave as the built-in type.
  CHECK(d.find_slot("l")->type == "list");
  CHECK(d.find_slot("l")->class_name == "ListSlot");
}

TEST_CASE("domain: categorical values are str()-ed and lower-cased, initial value is not",
          "[domain]") {
  Domain d = load_ok(R"(
slots:
  c:
    type: categorical
    values: [Italian, CHINESE, 5, true, 1.5, null, "Null", ÄPFEL, __OTHER__]
    initial_value: Italian
)");
  CHECK(d.slots[0].values == std::vector<std::string>{"italian", "chinese", "5", "true", "1.5",
                                                      "null", "äpfel", "__other__"});
  CHECK(d.slots[0].initial_value == "Italian");
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::StartsWith("Categorical slot 'c' has `null` listed"));
}

TEST_CASE("domain: float bounds are kept as written; an initial value outside only warns",
          "[domain]") {
  Domain d =
      load_ok("slots:\n  f: {type: float, min_value: -10, max_value: 10, initial_value: 99}\n");
  CHECK(d.slots[0].min_value.dump() == "-10");
  CHECK(d.slots[0].max_value.dump() == "10");
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] ==
        "Float slot ('f') created with an initial value 99. This value is outside "
        "of the configured min (-10) and max (10) values.");
}

TEST_CASE("domain: default slots follow Rasa's conditions and order", "[domain]") {
  SECTION("forms add requested_slot, knowledge-base action adds its three slots") {
    Domain d = load_ok(R"(
actions: [action_query_knowledge_base]
forms:
  f:
    required_slots: {}
slots:
  knowledge_base_last_object: {type: any}
)");
    CHECK(names_of(d) == std::vector<std::string>{"knowledge_base_last_object", "requested_slot",
                                                  "knowledge_base_listed_objects",
                                                  "knowledge_base_last_object_type",
                                                  "session_started_metadata"});
    const auto* requested = d.find_slot("requested_slot");
    CHECK(requested->type == "text");
    CHECK_FALSE(requested->influence_conversation);
    CHECK(requested->auto_fill);
    CHECK(d.find_slot("knowledge_base_last_object")->type == "any");  // the user's, as written
  }
  SECTION("a user requested_slot is kept, no second one is added") {
    Domain d = load_ok(
        "forms: {f: {required_slots: {}}}\nslots:\n  requested_slot: {type: categorical, values: "
        "[a]}\n");
    CHECK(names_of(d) == std::vector<std::string>{"requested_slot", "session_started_metadata"});
    CHECK(d.slots[0].type == "categorical");
  }
  SECTION("a domain defining session_started_metadata fails as a duplicate") {
    std::string msg =
        load_error("intents: [greet]\nslots:\n  session_started_metadata:\n    type: any\n");
    CHECK(msg ==
          "domain.yml:3: Duplicate slots in domain. These slots occur more than once in the "
          "domain: 'session_started_metadata'.");
  }
}

TEST_CASE("domain: forms in 2.x, 1.x and 3.x shapes", "[domain]") {
  SECTION("2.x entry without required_slots is wrapped, with a deprecation warning") {
    Domain d =
        load_ok("forms:\n  f:\n    city:\n    - type: from_entity\n      entity: city\n  g:\n");
    CHECK(d.form_names == std::vector<std::string>{"f", "g"});
    CHECK(d.forms["f"] ==
          Json::parse(
              R"({"required_slots": {"city": [{"type": "from_entity", "entity": "city"}]}})"));
    CHECK(d.forms["g"].is_null());
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::StartsWith("The definition of slot mappings in your form"));
  }
  SECTION("1.x list of names: forms run as custom actions") {
    Domain d = load_ok("actions: [action_x]\nforms:\n- restaurant_form\n- other_form\n");
    CHECK(d.form_names == std::vector<std::string>{"restaurant_form", "other_form"});
    CHECK(d.forms == Json{{"restaurant_form", Json::object()}, {"other_form", Json::object()}});
    CHECK(d.actions == std::vector<std::string>{"action_x", "restaurant_form", "other_form"});
    CHECK(d.find_slot("requested_slot") != nullptr);
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains("old Rasa Open Source 1 list format"));
  }
  SECTION("a bad slot mapping is an error at its line") {
    CHECK(
        load_error("forms:\n  f:\n    required_slots:\n      city:\n      - type: from_entity\n") ==
        "domain.yml:5: form 'f': the slot mapping of type 'from_entity' for slot 'city' needs a "
        "value for 'entity'");
  }
}

TEST_CASE("domain: 3.x domains load (slot mappings, required_slots lists, action options)",
          "[domain]") {
  Domain d = load_ok(R"(
version: "3.1"
intents:
- greet:
    use_entities: [city]
entities:
- city:
    roles: [from, to]
slots:
  city:
    type: text
    influence_conversation: false
    mappings:
    - type: from_entity
      entity: city
  anything:
    type: any
    mappings: [{type: custom}]
forms:
  f:
    required_slots: [city]
actions:
- action_a
- action_b:
    send_domain: true
)");
  CHECK(d.actions == std::vector<std::string>{"action_a", "action_b"});
  CHECK(d.entities == std::vector<std::string>{"city"});
  CHECK_FALSE(d.find_slot("city")->influence_conversation);
  CHECK_FALSE(d.find_slot("anything")->influence_conversation);
  CHECK(d.forms["f"]["required_slots"] == Json::array({"city"}));
  CHECK(d.intents.front() == "back");
  CHECK(std::count(d.intents.begin(), d.intents.end(), "greet") == 1);
}

TEST_CASE("domain: session_config and config", "[domain]") {
  Domain d = load_ok(
      "session_config:\n  session_expiration_time: 0\n  carry_over_slots_to_new_session: false\n"
      "config:\n  store_entities_as_slots: false\n");
  CHECK(d.session_config.session_expiration_time == 0);
  CHECK(d.session_config.carry_over_slots == false);
  CHECK_FALSE(d.store_entities_as_slots);

  Domain n =
      load_ok("session_config:\n  session_expiration_time:\n  carry_over_slots_to_new_session:\n");
  CHECK(n.session_config.session_expiration_time == 60);
  CHECK(n.session_config.carry_over_slots.is_null());  // kept; acts as false

  CHECK(load_error("session_config:\n  session_expiration_time: -5\n") ==
        "domain.yml:2: `session_expiration_time` must be 0 (no expiry) or more, not -5");
  CHECK(load_error("config:\n  store_entities_as_slots: true\n  other: 1\n") ==
        "domain.yml:3: unknown key 'other' in `config` (only store_entities_as_slots is allowed)");
}

TEST_CASE("domain: intents, responses and actions sections", "[domain]") {
  Domain d = load_ok(R"(
intents:
- greet
- inform:
    use_entities: true
- restart
responses:
  utter_greet:
  - text: hi
  - custom: {kind: card}
e2e_actions: [Hello there]
)");
  CHECK(d.intents == std::vector<std::string>{"back", "greet", "inform", "nlu_fallback",
                                              "out_of_scope", "restart", "session_start"});
  CHECK(d.responses["utter_greet"].size() == 2);
  CHECK(d.actions.empty());  // utter_ names from responses are not added

  Domain legacy = load_ok("templates:\n  utter_x:\n  - text: hey\n");
  CHECK(legacy.responses.contains("utter_x"));
  CHECK(legacy.warnings.size() == 1);

  CHECK(load_error("intents:\n- greet\n- greet\n") ==
        "domain.yml:1: Intents are not unique! Found multiple intents with name(s) ['greet']. "
        "Either rename or remove the duplicate ones.");
  CHECK(load_error("intents:\n- greet:\n") ==
        "domain.yml:2: intent 'greet' cannot have null as its value: remove the ':' after its "
        "name or give it properties such as use_entities");
  CHECK(load_error("intents:\n- greet:\n    triggers: action_nowhere\n") ==
        "domain.yml:2: Intent 'greet' is set to trigger action 'action_nowhere', which is not "
        "defined in the domain.");
  CHECK(load_error("responses:\n  utter_x:\n  - txt: hi\n") ==
        "domain.yml:3: response 'utter_x': unknown key 'txt' in a variation (allowed: text, "
        "image, custom, buttons, button_type, quick_replies, attachment, elements, channel, "
        "metadata, condition)");
  CHECK(load_error("responses:\n  utter_x:\n  - image: a.png\n") ==
        "domain.yml:3: response 'utter_x': every variation needs a `text` or a `custom` payload");
  CHECK(load_error("actions: [a, b, a]\n") ==
        "domain.yml:1: Duplicate actions in domain. These actions occur more than once in the "
        "domain: 'a'.");
}

TEST_CASE("domain: empty and falsy files are empty domains", "[domain]") {
  for (const char* text : {"", "\n# nothing\n", "---\n", "[]\n"}) {
    INFO(text);
    Domain d = load_ok(text);
    CHECK(names_of(d) == std::vector<std::string>{"session_started_metadata"});
    CHECK(d.intents == kDefaultIntents);
    CHECK(d.form_names.empty());
  }
}

TEST_CASE("domain: YAML scalars are typed as YAML 1.2 (Rasa's loader)", "[domain]") {
  Domain d = load_ok(R"(
slots:
  a: {type: any, initial_value: yes}
  b: {type: any, initial_value: 1_000}
  c: {type: any, initial_value: "5"}
  d: {type: any, initial_value: 0x1F}
  e: {type: any, initial_value: 2.50}
  f: {type: any, initial_value: ~}
  g: {type: any, initial_value: True}
)");
  CHECK(d.find_slot("a")->initial_value == "yes");
  CHECK(d.find_slot("b")->initial_value.dump() == "1000");
  CHECK(d.find_slot("c")->initial_value == "5");
  CHECK(d.find_slot("d")->initial_value.dump() == "31");
  CHECK(d.find_slot("e")->initial_value.dump() == "2.5");
  CHECK(d.find_slot("f")->initial_value.is_null());
  CHECK(d.find_slot("g")->initial_value == true);
}

TEST_CASE("domain: load errors name file and line", "[domain]") {
  CHECK_THAT(load_error("intents:\n  - greet\n slots: [\n"),
             Catch::StartsWith("domain.yml:3:") && Catch::Contains("invalid YAML"));
  CHECK(load_error("intents: [a]\nslots:\n  a: {type: text}\nslots: {}\n") ==
        "domain.yml:4:1: invalid YAML: found duplicate key 'slots'");
  CHECK(load_error("- a\n- b\n") ==
        "domain.yml:1: a domain must be a mapping of sections (intents, slots, responses, ...), "
        "not a list");
  CHECK(load_error("intents: [a]\nslots:\n  - a\n") ==
        "domain.yml:2: `slots` must be a mapping of slot names to slot definitions, not a list");
  CHECK(load_error("intents: greet\n") == "domain.yml:1: `intents` must be a list, not a string");
  CHECK(load_error("slots:\n  a:\n    type: txt\n") ==
        "domain.yml:3: slot 'a' has unknown type 'txt' (expected one of text, bool, categorical, "
        "float, list, any, unfeaturized, or a custom slot class path such as "
        "'my_module.MySlot')");
  CHECK_THAT(load_error("slots:\n  x: {type: text}\n  a:\n    initial_value: 1\n"),
             Catch::StartsWith("domain.yml:3: slot 'a' has no `type`"));
  CHECK(load_error("slots:\n  a:\n    type: text\n    max_value: 3\n") ==
        "domain.yml:4: slot 'a' (type text) has unknown key 'max_value' (allowed: initial_value, "
        "value_reset_delay, auto_fill, influence_conversation, mappings)");
  CHECK(load_error("slots:\n  f:\n    type: float\n    min_value: 1\n    max_value: 1\n") ==
        "domain.yml:2: Float slot ('f') created with an invalid range using min (1) and max (1) "
        "values. Make sure min is smaller than max.");
  CHECK(load_error("slots:\n  f:\n    type: float\n    max_value: 0\n") ==
        "domain.yml:2: Float slot ('f') created with an invalid range using min (0.0) and max (0) "
        "values. Make sure min is smaller than max.");
  CHECK(load_error("slots:\n  a:\n    type: any\n    influence_conversation: true\n") ==
        "domain.yml:4: slot 'a' of type any cannot influence the conversation (it is never "
        "featurized): remove `influence_conversation: true` or use another slot type");
  CHECK(load_error("version: 2.0\n") ==
        "domain.yml:1: `version` must be a string such as \"2.0\", not a number");
  CHECK(load_error("slots:\n  a:\n") ==
        "domain.yml:2: slot 'a' must be a mapping with at least a `type`, not null");
}

TEST_CASE("domain: a dict domain's errors name the source instead of a line", "[domain]") {
  auto result = convo::domain_from_json(
      Json::parse(R"({"slots": {"a": {"type": "text", "foo": 1}}})"), "tracker.json");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "tracker.json: slot 'a' (type text) has unknown key 'foo' (allowed: initial_value, "
        "value_reset_delay, auto_fill, influence_conversation, mappings)");
  CHECK_FALSE(convo::domain_from_json(Json::array()).ok());
  // from_dict skips the schema: a response that is not a list is accepted as Rasa accepts it.
  CHECK(convo::domain_from_json(Json::parse(R"({"responses": {"utter_x": "hi"}})")).ok());
}

TEST_CASE("domain: entity auto-fill follows domain slot order", "[domain]") {
  Domain d = load_ok(R"(
slots:
  tags: {type: list}
  city: {type: text}
  quiet: {type: text, auto_fill: false}
)");
  const Json entities = Json::parse(R"([
    {"entity": "city", "value": "Berlin", "role": "from"},
    {"entity": "tags", "value": "a"},
    {"entity": "city", "value": "Paris"},
    {"entity": "quiet", "value": "x"},
    {"entity": "tags"}
  ])");
  auto filled = d.slots_for_entities(entities);
  REQUIRE(filled.ok());
  const auto& pairs = *filled;
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0].first == "tags");
  CHECK(pairs[0].second == Json::parse(R"(["a", null])"));
  CHECK(pairs[1].first == "city");
  CHECK(pairs[1].second == "Paris");

  // Rasa calls .get() on every item: a non-object item or a non-list makes auto-fill raise.
  Json with_string = entities;
  with_string.push_back("not an object");
  CHECK_FALSE(d.slots_for_entities(with_string).ok());
  CHECK_FALSE(d.slots_for_entities(Json()).ok());
  CHECK(d.slots_for_entities(Json::array()).ok());

  d.store_entities_as_slots = false;
  auto off = d.slots_for_entities(with_string);
  REQUIRE(off.ok());
  CHECK(off->empty());
}

// Found by fuzzing: bytes that are not UTF-8 in a YAML file made later JSON writing throw. Python
// refuses such files when it reads them; so does convo, with the line and column of the byte.
TEST_CASE("domain: a YAML file that is not UTF-8 is refused with its line", "[domain][yaml]") {
  auto domain = convo::domain_from_yaml("version: \"2.0\"\nintents:\n- gr\xE9" "et\n", "domain.yml");
  REQUIRE_FALSE(domain);
  CHECK_THAT(domain.error().message, Catch::Matchers::Equals("domain.yml:3:5: invalid YAML: not UTF-8 (byte 0xE9)"));
  CHECK(convo::domain_from_yaml("version: \"2.0\"\nintents:\n- gr\xC3\xA9" "et\n", "domain.yml"));
}

TEST_CASE("domain: intents and e2e_actions as Rasa 2.8.12's Domain.as_dict gives them", "[domain]") {
  const std::filesystem::path dir = std::filesystem::path(CONVO_SOURCE_DIR) / "tests/fixtures/domain_oracle";
  std::ifstream in(dir / "intents.yml");
  std::stringstream yaml;
  yaml << in.rdbuf();
  const Domain d = load_ok(yaml.str());
  const Json want = read_json(dir / "intents.as_dict.json");
  Json got = convo::domain_as_dict(d);
  // Rasa lists use_entities / ignore_entities from a set, in no fixed order: compared sorted.
  for (auto& intent : got["intents"])
    for (auto& [name, props] : intent.items())
      for (const char* key : {"use_entities", "ignore_entities"})
        if (props.contains(key) && props[key].is_array()) {
          std::vector<std::string> sorted = props[key];
          std::sort(sorted.begin(), sorted.end());
          props[key] = sorted;
        }
  CHECK(got["intents"] == want["intents"]);
  CHECK(got["e2e_actions"] == want["e2e_actions"]);
  Json used = Json::object();
  for (const auto& def : d.intent_defs) used[def.name] = def.used_entities;
  CHECK(used == want["used_entities"]);
}
