#include "convo/dialogue/states.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "convo/core/text.hpp"
#include "convo/core/tracker.hpp"
#include "convo/dialogue/training.hpp"

namespace convo::dialogue {
namespace {

// Python's float(x) for a JSON value; nullopt where Python raises.
std::optional<double> py_float(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    std::string s = strip_whitespace(v.get<std::string>());
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0') return d;
  }
  return std::nullopt;
}

// rasa.shared.utils.io.bool_from_any
std::optional<bool> bool_from_any(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() == 1.0;
  if (v.is_string()) {
    std::string s = ascii_lower(strip_whitespace(v.get<std::string>()));
    if (s == "true") return true;
    if (s == "false") return false;
    if (auto f = py_float(v)) return *f == 1.0;
  }
  return std::nullopt;
}

bool any_nonzero(const Json& features) {
  for (const auto& f : features)
    if (f.get<double>() != 0.0) return true;
  return false;
}

// The user part: the latest message's intent and featurized entity labels.
Json user_sub_state(const Tracker& tracker, const Domain* domain) {
  const Event& latest = tracker.latest_message();
  const Json intent = latest.intent_name();
  if (!intent.is_string() || intent.get<std::string>().empty()) return Json::object();
  std::set<std::string> labels;
  const Json& entities = latest.nlu_entities();
  if (entities.is_array())
    for (const auto& e : entities) {
      if (!e.is_object() || !e.contains("entity") || !e["entity"].is_string()) continue;
      const std::string type = e["entity"];
      labels.insert(type);
      if (e.contains("role") && e["role"].is_string()) labels.insert(type + "#" + e["role"].get<std::string>());
      if (e.contains("group") && e["group"].is_string()) labels.insert(type + "#" + e["group"].get<std::string>());
    }
  // An intent of the domain keeps its used entities (use_entities / ignore_entities, with the
  // declared roles' and groups' labels); an intent the domain does not know keeps all.
  if (const IntentDef* def = domain ? domain->find_intent(intent.get<std::string>()) : nullptr) {
    std::set<std::string> wanted;
    for (const auto& label : labels)
      if (std::binary_search(def->used_entities.begin(), def->used_entities.end(), label)) wanted.insert(label);
    labels = std::move(wanted);
  }
  Json user = Json::object();
  if (!labels.empty()) user["entities"] = Json(std::vector<std::string>(labels.begin(), labels.end()));
  user["intent"] = intent;
  return user;
}

Json state_of(const Tracker& tracker, const Domain* domain, bool omit_unset, const std::set<std::string>& set_slots) {
  Json state = Json::object();
  const Json& loop = tracker.active_loop();
  auto loop_name = loop.find("name");
  if (loop_name != loop.end() && loop_name->is_string() && !loop_name->get<std::string>().empty())
    state["active_loop"] = {{"name", *loop_name}};
  Json prev = tracker.latest_action_name();
  if (prev.is_string()) state["prev_action"] = {{"action_name", prev}};
  if (domain) {
    Json slots = Json::object();
    std::vector<std::pair<std::string, Json>> sorted;
    for (const auto& def : domain->slots) {
      if (!def.influence_conversation) continue;
      if (omit_unset && !set_slots.count(def.name)) continue;
      const Json& value = tracker.slot_value(def.name);
      if (value.is_string() && value.get<std::string>() == kShouldNotBeSet) {
        sorted.emplace_back(def.name, kShouldNotBeSet);
        continue;
      }
      Json features = slot_features(def, value);
      if (features.empty() || !any_nonzero(features)) continue;
      sorted.emplace_back(def.name, std::move(features));
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [k, v] : sorted) slots[k] = std::move(v);
    if (!slots.empty()) state["slots"] = std::move(slots);
  }
  Json user = user_sub_state(tracker, domain);
  if (!user.empty()) state["user"] = std::move(user);
  return state;
}

}  // namespace

Json slot_features(const SlotDef& slot, const Json& value) {
  const std::string& t = slot.type;
  if (t == "text") return Json::array({value.is_null() ? 0.0 : 1.0});
  if (t == "bool") {
    if (value.is_null()) return Json::array({0.0, 0.0});
    auto b = bool_from_any(value);
    if (!b) return Json::array({0.0, 0.0});
    return Json::array({1.0, *b ? 1.0 : 0.0});
  }
  if (t == "float") {
    auto f = py_float(value);
    if (!f || value.is_null()) return Json::array({0.0, 0.0});
    const double lo = slot.min_value.is_number() ? slot.min_value.get<double>() : 0.0;
    const double hi = slot.max_value.is_number() ? slot.max_value.get<double>() : 1.0;
    const double capped = std::max(lo, std::min(hi, *f));
    const double range = std::abs(hi - lo) > 0 ? std::abs(hi - lo) : 1.0;
    return Json::array({1.0, (capped - lo) / range});
  }
  if (t == "list") {
    bool filled = (value.is_array() || value.is_object() || value.is_string()) && !value.empty() &&
                  !(value.is_string() && value.get<std::string>().empty());
    return Json::array({filled ? 1.0 : 0.0});
  }
  if (t == "categorical") {
    Json r = Json::array();
    for (std::size_t i = 0; i < slot.values.size(); ++i) r.push_back(0.0);
    const std::string text = ascii_lower(py_str(value));
    for (std::size_t i = 0; i < slot.values.size(); ++i)
      if (slot.values[i] == text) {
        r[i] = 1.0;
        return r;
      }
    if (!value.is_null())
      for (std::size_t i = 0; i < slot.values.size(); ++i)
        if (slot.values[i] == "__other__") r[i] = 1.0;
    return r;
  }
  return Json::array();  // any, unfeaturized, custom
}

TrackerStates tracker_states(const std::vector<EventPtr>& events, const std::shared_ptr<const Domain>& domain,
                             bool omit_unset_slots) {
  TrackerStates out;
  Tracker replay("states", domain);
  std::set<std::string> set_slots;
  for (const auto& e : events) {
    if (e->type == EventType::Action) {
      out.states.push_back(state_of(replay, domain.get(), omit_unset_slots, set_slots));
      const Json& name = e->get("name");
      out.actions.push_back(name.is_string() ? name.get<std::string>() : std::string());
      out.hidden.push_back(py_truthy(e->get("hide_rule_turn")));
    }
    if (e->type == EventType::Slot && e->get("name").is_string()) set_slots.insert(e->get("name").get<std::string>());
    (void)replay.update(e);
  }
  out.states.push_back(state_of(replay, domain.get(), omit_unset_slots, set_slots));
  return out;
}

Json current_state_of(const Tracker& tracker) {
  return state_of(tracker, tracker.domain().get(), false, {});
}

std::string key_of(const std::vector<Json>& states) { return dump_python(Json(states)); }

}  // namespace convo::dialogue
