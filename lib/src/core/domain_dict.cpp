// Domain -> Rasa's Domain.as_dict() (GET /domain).
#include <algorithm>

#include "convo/core/domain.hpp"

namespace convo {
namespace {

// Slots Rasa adds by itself; Domain.as_dict lists only the user's.
bool added_by_rasa(const SlotDef& slot) {
  static const char* names[] = {"session_started_metadata", "requested_slot", "knowledge_base_listed_objects",
                                "knowledge_base_last_object", "knowledge_base_last_object_type"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return slot.name == n; });
}

Json persistence_info(const SlotDef& slot) {
  const bool builtin = slot.class_name != "" && slot.type.find('.') == std::string::npos;
  Json info = Json::object();
  info["type"] = builtin ? "rasa.shared.core.slots." + slot.class_name : slot.type;
  info["initial_value"] = slot.initial_value;
  info["auto_fill"] = slot.auto_fill;
  info["influence_conversation"] = slot.influence_conversation;
  if (slot.type == "float") {
    info["max_value"] = slot.max_value;
    info["min_value"] = slot.min_value;
  }
  if (slot.type == "categorical") info["values"] = slot.values;
  for (const auto& [k, v] : slot.extra.items()) info[k] = v;
  return info;
}

bool listed_in(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Rasa's _transform_intents_for_file: the file's intents (default intents only when the file
// lists them), each {name: {its properties, then use_entities or ignore_entities}}: true when it
// uses as many entities as the domain has, the list when at most half, else the ignored ones.
Json intents_for_file(const Domain& domain) {
  Json out = Json::array();
  for (const auto& def : domain.intent_defs) {
    if (!def.listed) continue;
    std::vector<std::string> used;
    for (const auto& e : def.used_entities)
      if (e.find('#') == std::string::npos) used.push_back(e);
    Json props = def.properties;
    if (used.size() == domain.entities.size()) {
      props["use_entities"] = true;
    } else if (used.size() * 2 <= domain.entities.size()) {
      props["use_entities"] = used;
    } else {
      Json ignored = Json::array();
      for (const auto& e : domain.entities)
        if (!listed_in(used, e)) ignored.push_back(e);
      props["ignore_entities"] = ignored;
    }
    out.push_back({{def.name, props}});
  }
  return out;
}

}  // namespace

Json domain_as_dict(const Domain& domain) {
  Json out = Json::object();
  out["config"] = {{"store_entities_as_slots", domain.store_entities_as_slots}};
  out["session_config"] = {{"session_expiration_time", domain.session_config.session_expiration_time},
                           {"carry_over_slots_to_new_session", domain.session_config.carry_over_slots}};
  out["intents"] = intents_for_file(domain);
  out["entities"] = domain.entities;
  Json slots = Json::object();
  for (const auto& slot : domain.slots)
    if (!added_by_rasa(slot)) slots[slot.name] = persistence_info(slot);
  out["slots"] = slots;
  out["responses"] = domain.responses;
  out["actions"] = domain.actions;
  out["forms"] = domain.forms;
  out["e2e_actions"] = domain.e2e_actions;
  return out;
}

}  // namespace convo
