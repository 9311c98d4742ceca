// A Rasa domain (domain.yml): what the tracker needs of it, loaded the way Rasa 2.8 loads it.
// Spec: shared/spec/events-and-trackers.md §9, §10.1.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

struct SlotDef {
  std::string name;
  std::string type;        // "text", "bool", "categorical", "float", "list", "any", "unfeaturized",
                           // or a custom "module.Class" path
  std::string class_name;  // Rasa's class: "TextSlot", "BooleanSlot", ... (custom: the last path part)
  Json initial_value;      // raw, as written (a list slot wraps it when it is applied)
  bool auto_fill = true;
  bool influence_conversation = true;
  std::vector<std::string> values;  // categorical: str()-ed, lower-cased, nulls dropped, + "__other__"
  Json min_value = 0.0;             // float slots only; kept as written (int stays int)
  Json max_value = 1.0;
  Json extra = Json::object();      // custom slot types: every other key as written

  bool is_list() const { return type == "list"; }
};

// One intent as Rasa 2.8 keeps it (Domain.intent_properties).
struct IntentDef {
  std::string name;
  Json properties = Json::object();        // the file's own (triggers, ...), minus use/ignore_entities
  std::vector<std::string> used_entities;  // sorted: entities (and entity#role, entity#group labels)
                                           // that count in this intent's dialogue state
  bool listed = false;                     // in the domain file (a default intent may be too)
};

struct SessionConfig {
  Json session_expiration_time = 60;  // minutes; 0 or negative disables expiry
  Json carry_over_slots = true;       // an explicit null is kept (and acts as false)
};

struct Domain {
  std::vector<std::string> intents;    // the domain's intents plus Rasa's default intents, sorted
  std::vector<IntentDef> intent_defs;  // the file's intents in order, then Rasa's default intents
  std::vector<std::string> entities;
  std::map<std::string, std::vector<std::string>> entity_roles, entity_groups;  // as declared
  std::vector<SlotDef> slots;          // user slots, then requested_slot, knowledge-base slots,
                                       // session_started_metadata (Rasa's order)
  Json responses = Json::object();
  std::vector<std::string> actions;    // user actions as listed (responses' utter_ names not added)
  std::vector<std::string> form_names;
  std::vector<std::string> e2e_actions;  // end-to-end bot texts (Rasa's action_texts)
  Json forms = Json::object();         // 2.x mapping form; 1.x list forms become {name: {}}
  SessionConfig session_config;
  bool store_entities_as_slots = true;
  std::vector<std::string> warnings;   // deprecations and other non-fatal findings, one line each

  const SlotDef* find_slot(std::string_view name) const;
  const IntentDef* find_intent(std::string_view name) const;

  // Entity -> slot auto-fill (Rasa 2.8 `slots_for_entities`): (slot name, value) pairs in domain
  // slot order; list slots get every matching value, others the last one. An error where Rasa's
  // auto-fill raises (entities that are not a list of objects).
  Result<std::vector<std::pair<std::string, Json>>> slots_for_entities(const Json& entities) const;
};

// Rasa's Domain.as_dict(): what GET /domain returns (config, session_config, intents, entities,
// slots with their persistence info, responses, actions, forms, e2e_actions).
Json domain_as_dict(const Domain& domain);

// Loads a domain from YAML text (1.x, 2.x or 3.x format). `source` names the file in errors,
// which carry the line: "domain.yml:12: slot 'f': min_value must be smaller than max_value".
Result<Domain> domain_from_yaml(std::string_view yaml_text, const std::string& source);

// Rasa 2.8's default actions (DEFAULT_ACTION_NAMES): every domain has them without listing them.
const std::vector<std::string>& default_action_names();

// Loads a domain given as an already-parsed mapping (no schema validation, as Rasa's
// Domain.from_dict).
Result<Domain> domain_from_json(const Json& dict, const std::string& source = "domain");

}  // namespace convo
