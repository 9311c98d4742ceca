// Forms as Rasa 2.8 runs them (core/actions/forms.py FormAction, loops.py LoopAction.run;
// docs/dialogue-notes.md §8): activation with pre-filled slots validated, slot extraction from
// entities, intents and text, validation by the action server's validate_<form>, the next slot
// requested with utter_ask_/action_ask_, and deactivation once every required slot is filled.
#include <algorithm>

#include "actions_internal.hpp"
#include "convo/core/event_list.hpp"

namespace convo::dialogue::detail {
namespace {

constexpr const char* kRequestedSlot = "requested_slot";

Json as_list(const Json& v) {
  if (v.is_null()) return Json::array();
  return v.is_array() ? v : Json::array({v});
}

struct Form {
  std::string name;
  const Json* definition;  // {required_slots: {slot: [mappings]}, ignored_intents}
  const Domain& domain;

  std::vector<std::string> required_slots() const {
    std::vector<std::string> out;
    const Json& slots = definition->is_object() ? definition->value("required_slots", Json::object()) : Json::object();
    if (slots.is_object())
      for (const auto& [k, _] : slots.items()) out.push_back(k);
    return out;
  }
  Json mappings_for(const std::string& slot) const {
    const Json slots = definition->is_object() ? definition->value("required_slots", Json::object()) : Json::object();
    Json m = slots.is_object() ? slots.value(slot, Json()) : Json();
    if (!py_truthy(m)) return Json::array({{{"type", "from_entity"}, {"entity", slot}}});
    return as_list(m);
  }
  Json ignored_intents() const {
    return definition->is_object() ? as_list(definition->value("ignored_intents", Json())) : Json::array();
  }
};

std::string latest_intent(const Tracker& t) {
  const Json name = t.latest_message_data().value("intent", Json::object()).value("name", Json());
  return name.is_string() ? name.get<std::string>() : std::string();
}

bool contains(const Json& list, const std::string& value) {
  for (const auto& v : list)
    if (v.is_string() && v.get<std::string>() == value) return true;
  return false;
}

bool intent_is_desired(const Json& mapping, const Tracker& tracker, const Form& form) {
  const Json intents = as_list(mapping.value("intent", Json()));
  Json not_intents = as_list(mapping.value("not_intent", Json()));
  for (const auto& i : form.ignored_intents()) not_intents.push_back(i);
  const std::string intent = latest_intent(tracker);
  return (intents.empty() && !contains(not_intents, intent)) || contains(intents, intent);
}

// The latest message's values for an entity type with exactly this role and group.
Json entity_value(const Json& mapping, const Tracker& tracker, bool list_slot) {
  const Json entities = tracker.latest_message_data().value("entities", Json::array());
  const Json role = mapping.value("role", Json()), group = mapping.value("group", Json());
  Json values = Json::array();
  if (entities.is_array())
    for (const auto& e : entities)
      if (e.is_object() && e.value("entity", Json()) == mapping.value("entity", Json()) && e.value("role", Json()) == role &&
          e.value("group", Json()) == group)
        values.push_back(e.value("value", Json()));
  if (list_slot) return values.empty() ? Json() : values;
  if (values.empty()) return nullptr;
  return values.size() == 1 ? values[0] : values;
}

bool is_list_slot(const Domain& domain, const std::string& slot) {
  const SlotDef* def = domain.find_slot(slot);
  return def && def->is_list();
}

// FormAction.extract_requested_slot
Json extract_requested(const Form& form, const Tracker& tracker, const std::string& slot) {
  for (const auto& mapping : form.mappings_for(slot)) {
    if (!mapping.is_object() || !intent_is_desired(mapping, tracker, form)) continue;
    const std::string type = string_or(mapping, "type");
    Json value;
    if (type == "from_entity") value = entity_value(mapping, tracker, is_list_slot(form.domain, slot));
    else if (type == "from_intent") value = mapping.value("value", Json());
    else if (type == "from_text") value = tracker.latest_message_data().value("text", Json());
    else continue;  // from_trigger_intent: only on activation
    if (!value.is_null()) return value;
  }
  return nullptr;
}

// FormAction.extract_other_slots (entity mappings that are unique in the form, trigger intents
// while the form is not active yet).
std::vector<std::pair<std::string, Json>> extract_other(const Form& form, const Tracker& tracker, const std::string& requested) {
  std::map<std::string, int> mapping_count;
  for (const auto& slot : form.required_slots())
    for (const auto& m : form.mappings_for(slot))
      if (m.is_object() && string_or(m, "type") == "from_entity") ++mapping_count[dump_python(m)];
  const bool active = tracker.active_loop().value("name", Json()) == form.name;
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& slot : form.required_slots()) {
    if (slot == requested) continue;
    for (const auto& m : form.mappings_for(slot)) {
      if (!m.is_object()) continue;
      const std::string type = string_or(m, "type");
      Json value;
      if (type == "from_entity" && intent_is_desired(m, tracker, form) && mapping_count[dump_python(m)] == 1)
        value = entity_value(m, tracker, is_list_slot(form.domain, slot));
      else if (type == "from_trigger_intent" && !active && intent_is_desired(m, tracker, form))
        value = m.value("value", Json());
      if (!value.is_null()) {
        out.emplace_back(slot, value);
        break;
      }
    }
  }
  return out;
}

Json slot_event(const std::string& name, const Json& value) { return {{"event", "slot"}, {"name", name}, {"value", value}}; }

bool is_rejection(const Json& e) { return string_or(e, "event") == "action_execution_rejected"; }
bool is_slot(const Json& e, const std::string& name) {
  return string_or(e, "event") == "slot" && e.value("name", Json()) == name;
}

// LoopAction/FormAction.is_done on the events so far.
bool is_done(const std::vector<Json>& events) {
  if (std::any_of(events.begin(), events.end(), is_rejection)) return false;
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (is_slot(*it, kRequestedSlot)) {
      if (it->value("value", Json()).is_null()) return true;
      break;
    }
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->value("event", std::string()) == "active_loop") return it->value("name", Json()).is_null();
  return false;
}

class FormRun {
 public:
  FormRun(const Form& form, const Tracker& tracker, TurnContext& turn) : form_(form), tracker_(tracker), turn_(turn) {}

  ActionOutcome run() {
    std::vector<Json> events;
    const bool active = tracker_.active_loop().value("name", Json()) == form_.name;
    if (!active) {
      events.push_back({{"event", "active_loop"}, {"name", form_.name}});
      // Pre-filled required slots are validated on activation.
      std::vector<std::pair<std::string, Json>> prefilled;
      const Json values = tracker_.slot_values();
      for (const auto& slot : form_.required_slots())
        if (!values.value(slot, Json()).is_null()) prefilled.emplace_back(slot, values[slot]);
      if (!prefilled.empty() && !validate_slots(prefilled, {}, events)) return std::move(out_);
    }
    if (!is_done(events)) {
      std::vector<Json> done;
      if (!do_step(events, done)) return std::move(out_);
      events.insert(events.end(), done.begin(), done.end());
    }
    if (is_done(events)) events.push_back({{"event", "active_loop"}, {"name", nullptr}});
    out_.events = std::move(events);
    return std::move(out_);
  }

 private:
  // A temporary tracker: the events after the latest restart, requested_slot, the form's action
  // event and `extra` (FormAction._temporary_tracker).
  Tracker temporary(const std::vector<Json>& extra, bool with_form_header = true) {
    Tracker temp(tracker_.sender_id(), tracker_.domain());
    for (const auto& e : tracker_.events_after_latest_restart()) (void)temp.update(e);
    std::vector<Json> tail;
    if (with_form_header) {
      tail.push_back(slot_event(kRequestedSlot, slot_to_fill()));
      tail.push_back({{"event", "action"}, {"name", form_.name}, {"policy", nullptr}, {"confidence", nullptr}});
    }
    tail.insert(tail.end(), extra.begin(), extra.end());
    for (auto e : tail) {
      e["timestamp"] = turn_.ctx.now();
      auto parsed = parse_event(e, turn_.ctx);
      if (parsed && *parsed) (void)temp.update(*parsed);
    }
    return temp;
  }

  Json slot_to_fill() const {
    const bool active = tracker_.active_loop().value("name", Json()) == form_.name;
    return active ? tracker_.slot_values().value(kRequestedSlot, Json()) : Json();
  }

  // FormAction.validate_slots: candidate slot events, then validate_<form> when the domain lists
  // it; false when the run failed or was rejected (out_ says which).
  bool validate_slots(const std::vector<std::pair<std::string, Json>>& candidates, const std::vector<Json>& /*so_far*/,
                      std::vector<Json>& events) {
    std::vector<Json> slots;
    for (const auto& [name, value] : candidates) slots.push_back(slot_event(name, value));
    const std::string validator = "validate_" + form_.name;
    const auto& actions = form_.domain.actions;
    if (std::find(actions.begin(), actions.end(), validator) == actions.end()) {
      events.insert(events.end(), slots.begin(), slots.end());
      return true;
    }
    Tracker temp = temporary(slots);
    ActionOutcome v = run_remote(validator, temp, turn_);
    if (v.failed || v.rejected) {
      out_.failed = v.failed;
      out_.rejected = v.rejected;
      return false;
    }
    std::vector<std::string> validated;
    for (const auto& e : v.events)
      if (string_or(e, "event") == "slot" && e.value("name", Json()).is_string()) validated.push_back(e["name"]);
    events.insert(events.end(), v.events.begin(), v.events.end());
    for (const auto& s : slots)
      if (std::find(validated.begin(), validated.end(), s["name"].get<std::string>()) == validated.end()) events.push_back(s);
    return true;
  }

  // FormAction.do: validation when required, then the next slot's request.
  bool do_step(const std::vector<Json>& so_far, std::vector<Json>& events) {
    const Json loop = tracker_.active_loop_state();
    const bool no_loop = !loop.value("name", Json()).is_string();
    const bool needs_validation = no_loop || (tracker_.latest_action_name() == "action_listen" &&
                                              !py_truthy(loop.value("is_interrupted", Json())));
    if (needs_validation) {
      const Json requested = slot_to_fill();
      auto candidates = extract_other(form_, tracker_, requested.is_string() ? requested.get<std::string>() : "");
      if (requested.is_string()) {
        Json value = extract_requested(form_, tracker_, requested.get<std::string>());
        if (!value.is_null()) {
          auto it = std::find_if(candidates.begin(), candidates.end(), [&](const auto& c) { return c.first == requested; });
          if (it != candidates.end()) it->second = value;
          else candidates.emplace_back(requested.get<std::string>(), value);
        }
      }
      if (!validate_slots(candidates, so_far, events)) return false;
      const bool some_set = std::any_of(events.begin(), events.end(), [](const Json& e) {
        return string_or(e, "event") == "slot" && e.value("name", Json()) != kRequestedSlot;
      });
      const bool rejected_manually = std::any_of(events.begin(), events.end(), is_rejection);
      if (requested.is_string() && !some_set && !rejected_manually) {
        if (turn_.log)
          turn_.log(false, "Failed to extract slot " + requested.get<std::string>() + " with action " + form_.name);
        out_.rejected = true;
        return false;
      }
    } else if (!validate_slots({}, so_far, events)) {
      return false;
    }
    if (std::any_of(events.begin(), events.end(), is_rejection)) return true;
    std::vector<Json> all = so_far;
    all.insert(all.end(), events.begin(), events.end());
    return request_next_slot(all, events);
  }

  bool request_next_slot(const std::vector<Json>& so_far, std::vector<Json>& events) {
    if (is_done(so_far)) {
      events.push_back(slot_event(kRequestedSlot, nullptr));
      return true;
    }
    Json to_request;
    for (const auto& e : so_far)
      if (is_slot(e, kRequestedSlot)) {
        to_request = e.value("value", Json());
        break;
      }
    Tracker temp = temporary(so_far);
    if (!py_truthy(to_request)) {
      const Json values = temp.slot_values();
      to_request = nullptr;
      for (const auto& slot : form_.required_slots())
        if (values.value(slot, Json()).is_null()) {
          to_request = slot;
          break;
        }
      events.push_back(slot_event(kRequestedSlot, to_request));
    }
    if (!to_request.is_string()) return true;
    return ask_for(to_request.get<std::string>(), temp, events);
  }

  bool ask_for(const std::string& slot, const Tracker& temp, std::vector<Json>& events) {
    const auto& actions = form_.domain.actions;
    for (const std::string& candidate : {"action_ask_" + form_.name + "_" + slot, "utter_ask_" + form_.name + "_" + slot,
                                         "action_ask_" + slot, "utter_ask_" + slot}) {
      const bool custom = std::find(actions.begin(), actions.end(), candidate) != actions.end();
      if (!custom && !form_.domain.responses.contains(candidate)) continue;
      if (!custom) {
        auto bot = utter(candidate, temp, turn_, false);
        if (!bot) {
          out_.failed = true;
          return false;
        }
        if (bot->has_value()) events.push_back(**bot);
        return true;
      }
      ActionOutcome asked = run_remote(candidate, temp, turn_);
      if (asked.failed || asked.rejected) {
        out_.failed = asked.failed;
        out_.rejected = asked.rejected;
        return false;
      }
      events.insert(events.end(), asked.events.begin(), asked.events.end());
      return true;
    }
    if (turn_.log) turn_.log(true, "There is no response or action to ask for slot '" + slot + "'.");
    return true;
  }

  const Form& form_;
  const Tracker& tracker_;
  TurnContext& turn_;
  ActionOutcome out_;
};

}  // namespace

ActionOutcome run_form(const std::string& name, const Tracker& tracker, TurnContext& turn) {
  const Domain& domain = *turn.bot->domain;
  auto it = domain.forms.find(name);
  static const Json empty = Json::object();
  Form form{name, it == domain.forms.end() ? &empty : &*it, domain};
  ActionOutcome out = FormRun(form, tracker, turn).run();
  if (out.failed && turn.log)
    turn.log(true, "Encountered an exception while running action '" + name +
                       "'.Bot will continue, but the actions events are lost. Please check the logs of your action "
                       "server for more information.");
  return out;
}

}  // namespace convo::dialogue::detail
