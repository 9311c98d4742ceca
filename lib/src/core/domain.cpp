// The domain loader: YAML text or an already-parsed mapping, one code path for both, following
// Rasa 2.8's Domain.from_yaml / from_dict (spec §9, §10.1; rasa/shared/core/domain.py).
#include "convo/core/domain.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <set>

#include "domain_internal.hpp"


namespace convo {

namespace {

using namespace domain_internal;

const std::vector<std::string> kDefaultIntents = {"restart", "back", "out_of_scope",
                                                  "session_start", "nlu_fallback"};
// clang-format off
const std::vector<std::string> kDefaultActions = {
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "..."};
// clang-format on

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// --- the sections, shared by both entry points ---

// A section as Rasa's `data.get(key, default)` sees it.
Json section(const Json& data, const char* key, Json fallback) {
  auto it = data.find(key);
  return it == data.end() ? std::move(fallback) : *it;
}

// Items of a list section. Rasa iterates whatever it gets, so a mapping given to from_dict yields
// its keys; the schema only allows lists.
Failure section_items(const Json& value, const char* key, const LoadContext& ctx,
                      std::vector<std::pair<Json, std::string>>& items) {
  const std::string ptr = child("", key);
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) items.emplace_back(value[i], child(ptr, i));
  } else if (value.is_object() && !ctx.schema) {
    for (const auto& item : value.items()) items.emplace_back(item.key(), child(ptr, item.key()));
  } else {
    return ctx.fail(ptr, "`" + std::string(key) + "` must be a list, not " + kind_of(value));
  }
  return std::nullopt;
}

Failure read_entities(const Json& data, const LoadContext& ctx, Domain& domain) {
  std::vector<std::pair<Json, std::string>> items;
  if (auto err = section_items(section(data, "entities", Json::array()), "entities", ctx, items))
    return err;
  for (const auto& [entity, ptr] : items) {
    if (entity.is_string()) {
      domain.entities.push_back(entity.get<std::string>());
      continue;
    }
    if (!entity.is_object())
      return ctx.fail(ptr, "an entity must be a name or a mapping of a name to its roles and "
                           "groups, not " + kind_of(entity));
    for (const auto& item : entity.items()) {
      if (!item.value().is_object() || item.value().empty())
        return ctx.fail(child(ptr, item.key()),
                        "entity '" + item.key() + "' cannot have " + kind_of(item.value()) +
                            " as its value: remove the ':' after its name or give it roles or "
                            "groups");
      for (const char* labels : {"roles", "groups"}) {
        const Json list = item.value().value(labels, Json());
        auto& declared = std::string(labels) == "roles" ? domain.entity_roles : domain.entity_groups;
        if (list.is_array())
          for (const auto& label : list)
            if (label.is_string()) declared[item.key()].push_back(label.get<std::string>());
        if (ctx.schema && !list.is_null() &&
            !(list.is_array() &&
              std::all_of(list.begin(), list.end(), [](const Json& e) { return e.is_string(); })))
          return ctx.fail(child(child(ptr, item.key()), labels),
                          "entity '" + item.key() + "': `" + labels +
                              "` must be a list of names, not " + kind_of(list));
      }
      domain.entities.push_back(item.key());
    }
  }
  return std::nullopt;
}

struct Trigger {
  std::string intent, action, ptr;
};

// Labels of `entity`'s declared roles and groups: "city#from", ...
std::vector<std::string> sub_labels(const Domain& domain, const std::string& entity) {
  std::vector<std::string> out;
  for (const auto* declared : {&domain.entity_roles, &domain.entity_groups}) {
    auto it = declared->find(entity);
    if (it == declared->end()) continue;
    for (const auto& label : it->second) out.push_back(entity + "#" + label);
  }
  return out;
}

// Rasa's _transform_intent_properties_for_internal_use: use_entities (default true; false, null
// or [] for none) less ignore_entities, each with its roles' and groups' labels.
IntentDef intent_def(const std::string& name, const Json& props, const Domain& domain) {
  IntentDef def;
  def.name = name;
  std::set<std::string> included, excluded;
  const Json use = props.value("use_entities", Json(true));
  if (use.is_boolean() && use.get<bool>()) {
    included.insert(domain.entities.begin(), domain.entities.end());
  } else if (use.is_array()) {
    for (const auto& e : use)
      if (e.is_string()) included.insert(e.get<std::string>());
  }
  const std::vector<std::string> named(included.begin(), included.end());
  for (const auto& e : named)
    for (const auto& label : sub_labels(domain, e)) included.insert(label);
  const Json ignore = props.value("ignore_entities", Json::array());
  for (const auto& e : ignore.is_array() ? ignore : Json::array())
    if (e.is_string()) {
      excluded.insert(e.get<std::string>());
      for (const auto& label : sub_labels(domain, e.get<std::string>())) excluded.insert(label);
    }
  for (const auto& e : included)
    if (!excluded.count(e)) def.used_entities.push_back(e);
  for (const auto& [k, v] : props.items())
    if (k != "use_entities" && k != "ignore_entities") def.properties[k] = v;
  return def;
}

Failure read_intents(const Json& data, const LoadContext& ctx, Domain& domain,
                     std::vector<Trigger>& triggers) {
  std::vector<std::pair<Json, std::string>> items;
  if (auto err = section_items(section(data, "intents", Json::array()), "intents", ctx, items))
    return err;
  std::vector<std::string> duplicates;
  for (const auto& [intent, ptr] : items) {
    std::string name;
    Json props = Json::object();
    if (intent.is_string()) {
      name = intent.get<std::string>();
    } else if (intent.is_object() && !intent.empty()) {
      // Rasa reads the first key only.
      name = intent.begin().key();
      props = intent.begin().value();
      if (!props.is_object() || props.empty())
        return ctx.fail(ptr, "intent '" + name + "' cannot have " + kind_of(props) +
                                 " as its value: remove the ':' after its name or give it "
                                 "properties such as use_entities");
      if (props.contains("triggers"))
        triggers.push_back({name, py_str(props["triggers"]), child(ptr, name)});
      const Json use = props.value("use_entities", Json()),
                 ignore = props.value("ignore_entities", Json());
      std::string both;
      for (const auto& e : use.is_array() && ignore.is_array() ? use : Json::array())
        if (e.is_string() && std::count(ignore.begin(), ignore.end(), e))
          both += (both.empty() ? "'" : ", '") + e.get<std::string>() + "'";
      if (!both.empty())
        ctx.warnings.push_back("Entities: '{" + both + "}' are explicitly included and "
                               "excluded for intent '" + name + "'.Excluding takes precedence "
                               "in this case. Please resolve that ambiguity.");
    } else {
      return ctx.fail(ptr, "an intent must be a name or a mapping of a name to its properties, "
                           "not " + kind_of(intent));
    }
    if (contains(domain.intents, name) && !contains(duplicates, name)) duplicates.push_back(name);
    domain.intents.push_back(name);
    domain.intent_defs.push_back(intent_def(name, props, domain));
    domain.intent_defs.back().listed = true;
  }
  if (!duplicates.empty()) {
    std::sort(duplicates.begin(), duplicates.end());
    std::string names;
    for (const auto& d : duplicates) names += (names.empty() ? "'" : ", '") + d + "'";
    return ctx.fail("/intents", "Intents are not unique! Found multiple intents with name(s) [" +
                                    names + "]. Either rename or remove the duplicate ones.");
  }
  for (const auto& name : kDefaultIntents)
    if (!contains(domain.intents, name)) {
      domain.intents.push_back(name);
      domain.intent_defs.push_back(intent_def(name, Json::object(), domain));
    }
  std::sort(domain.intents.begin(), domain.intents.end());
  return std::nullopt;
}

Failure read_name_list(const Json& data, const char* key, const LoadContext& ctx,
                       std::vector<std::string>& out) {
  const Json value = section(data, key, Json::array());
  if (value.is_null() && std::string(key) == "e2e_actions") return std::nullopt;
  if (!value.is_array())
    return ctx.fail(child("", key),
                    "`" + std::string(key) + "` must be a list, not " + kind_of(value));
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& item = value[i];
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_object() && item.size() == 1 && std::string(key) == "actions") {
      out.push_back(item.begin().key());  // 3.x: `- action_x: {send_domain: true}`
    } else {
      return ctx.fail(child(child("", key), i), "each item of `" + std::string(key) +
                                                    "` must be a name, not " + kind_of(item));
    }
  }
  return std::nullopt;
}

Failure read_config(const Json& data, const LoadContext& ctx, Domain& domain) {
  const Json config = section(data, "config", Json::object());
  if (!config.is_object())
    return ctx.fail("/config", "`config` must be a mapping, not " + kind_of(config));
  for (const auto& item : config.items()) {
    const std::string ptr = child("/config", item.key());
    // Rasa passes `config` as keyword arguments to Domain(), which knows only this one.
    if (item.key() != "store_entities_as_slots")
      return ctx.fail(ptr, "unknown key '" + item.key() +
                               "' in `config` (only store_entities_as_slots is allowed)");
    if (ctx.schema && !item.value().is_boolean() && !item.value().is_null())
      return ctx.fail(
          ptr, "`store_entities_as_slots` must be true or false, not " + kind_of(item.value()));
    domain.store_entities_as_slots = py_truthy(item.value());
  }
  return std::nullopt;
}

Failure read_session_config(const Json& data, const LoadContext& ctx, Domain& domain) {
  const Json config = section(data, "session_config", Json::object());
  if (!config.is_object())
    return ctx.fail("/session_config",
                    "`session_config` must be a mapping, not " + kind_of(config));
  const std::string ptr = "/session_config/session_expiration_time";
  Json expiry = config.value("session_expiration_time", Json());
  if (expiry.is_boolean() && !ctx.schema) expiry = expiry.get<bool>() ? 1 : 0;  // Python: True == 1
  if (!expiry.is_null() && !expiry.is_number())
    return ctx.fail(
        ptr, "`session_expiration_time` must be a number of minutes, not " + kind_of(expiry));
  if (ctx.schema && expiry.is_number() && expiry.get<double>() < 0)
    return ctx.fail(
        ptr, "`session_expiration_time` must be 0 (no expiry) or more, not " + py_str(expiry));
  if (!expiry.is_null()) domain.session_config.session_expiration_time = expiry;
  if (config.contains("carry_over_slots_to_new_session")) {
    const Json& carry = config["carry_over_slots_to_new_session"];
    if (ctx.schema && !carry.is_boolean() && !carry.is_null())
      return ctx.fail(
          "/session_config/carry_over_slots_to_new_session",
          "`carry_over_slots_to_new_session` must be true or false, not " + kind_of(carry));
    domain.session_config.carry_over_slots = carry;
  }
  return std::nullopt;
}

// Rasa's _check_domain_sanity: duplicate actions, slots, entities; triggers of unknown actions.
Failure check_sanity(const Domain& domain, const std::vector<std::string>& action_names,
                     const std::vector<Trigger>& triggers, const LoadContext& ctx) {
  std::string message, ptr;
  auto report = [&](const std::vector<std::string>& names, const char* what, std::string at) {
    std::vector<std::string> dups;
    for (const auto& n : names)
      if (std::count(names.begin(), names.end(), n) > 1 && !contains(dups, n)) dups.push_back(n);
    if (dups.empty()) return;
    std::string joined;
    for (const auto& d : dups) joined += (joined.empty() ? "" : ", ") + d;
    message += std::string(message.empty() ? "" : " ") + "Duplicate " + what +
               " in domain. These " + what + " occur more than once in the domain: '" + joined +
               "'.";
    if (ptr.empty()) ptr = at == "/slots" ? child(at, dups.front()) : at;
  };
  std::vector<std::string> slot_names;
  for (const auto& slot : domain.slots) slot_names.push_back(slot.name);
  report(action_names, "actions", "/actions");
  report(slot_names, "slots", "/slots");
  report(domain.entities, "entities", "/entities");
  for (const auto& t : triggers) {
    if (contains(action_names, t.action)) continue;
    message += std::string(message.empty() ? "" : " ") + "Intent '" + t.intent +
               "' is set to trigger action '" + t.action + "', which is not defined in the domain.";
    if (ptr.empty()) ptr = t.ptr;
  }
  if (message.empty()) return std::nullopt;
  return ctx.fail(ptr, message);
}

Result<Domain> build_domain(const Json& data, const SourceMap& map, bool schema) {
  Domain domain;
  LoadContext ctx{map, schema, domain.warnings};
  if (!data.is_object())
    return ctx.fail("", "a domain must be a mapping of sections (intents, slots, responses, "
                        "...), not " + kind_of(data));
  if (schema)
    if (auto err = check_schema(data, ctx)) return *err;

  // 2.8 ignores the pre-2.0 key; convo reads it so that 1.x domains keep their responses.
  const bool legacy = !data.contains("responses") && data.contains("templates");
  domain.responses = section(data, legacy ? "templates" : "responses", Json::object());
  if (legacy)
    domain.warnings.push_back("The `templates` key in the domain is deprecated (Rasa Open Source "
                              "2.8 ignores it); rename it to `responses`.");
  if (!domain.responses.is_object())
    return ctx.fail(legacy ? "/templates" : "/responses",
                    "`responses` must be a mapping of response names to variations, not " +
                        kind_of(domain.responses));

  std::vector<std::string> form_actions, e2e_actions;
  std::vector<Trigger> triggers;
  if (auto err = build_user_slots(section(data, "slots", Json::object()), ctx, domain.slots))
    return *err;
  if (auto err = read_session_config(data, ctx, domain)) return *err;
  if (auto err = build_forms(section(data, "forms", Json::object()), ctx, domain, form_actions))
    return *err;
  if (auto err = read_config(data, ctx, domain)) return *err;
  if (auto err = read_entities(data, ctx, domain)) return *err;
  if (auto err = read_intents(data, ctx, domain, triggers)) return *err;
  if (auto err = read_name_list(data, "actions", ctx, domain.actions)) return *err;
  if (auto err = read_name_list(data, "e2e_actions", ctx, e2e_actions)) return *err;
  domain.e2e_actions = e2e_actions;
  domain.actions.insert(domain.actions.end(), form_actions.begin(), form_actions.end());

  // Rasa's action_names_or_texts: defaults, user actions and utter_ responses, forms not run
  // as custom actions, end-to-end bot texts.
  std::vector<std::string> names = kDefaultActions;
  std::vector<std::string> user_actions = domain.actions;
  std::vector<std::string> response_names;
  for (const auto& item : domain.responses.items()) response_names.push_back(item.key());
  std::sort(response_names.begin(), response_names.end());
  for (const auto& r : response_names)
    if (!contains(domain.actions, r)) user_actions.push_back(r);
  for (const auto& a : user_actions)
    if (!contains(kDefaultActions, a)) names.push_back(a);
  for (const auto& f : domain.form_names)
    if (!contains(domain.actions, f)) names.push_back(f);
  names.insert(names.end(), e2e_actions.begin(), e2e_actions.end());

  add_default_slots(domain, contains(names, "action_query_knowledge_base"));
  if (auto err = check_sanity(domain, names, triggers, ctx)) return *err;
  return domain;
}

}  // namespace

Result<Domain> domain_from_yaml(std::string_view yaml_text, const std::string& source) {
  SourceMap map(source);
  auto data = read_yaml(yaml_text, map);
  if (!data) return data.error();
  return build_domain(*data, map, true);
}

Result<Domain> domain_from_json(const Json& dict, const std::string& source) {
  return build_domain(dict, SourceMap(source), false);
}

const IntentDef* Domain::find_intent(std::string_view name) const {
  for (const auto& def : intent_defs)
    if (def.name == name) return &def;
  return nullptr;
}

const SlotDef* Domain::find_slot(std::string_view name) const {
  for (const auto& slot : slots)
    if (slot.name == name) return &slot;
  return nullptr;
}

Result<std::vector<std::pair<std::string, Json>>> Domain::slots_for_entities(const Json& found) const {
  std::vector<std::pair<std::string, Json>> out;
  bool any_auto_fill = std::any_of(slots.begin(), slots.end(), [](const SlotDef& s) { return s.auto_fill; });
  if (!store_entities_as_slots || !any_auto_fill) return out;
  // Rasa calls entity.get() on every item (an object's keys when given an object), so anything
  // but a list of objects makes its auto-fill raise.
  if (!found.is_array() && !(found.is_object() && found.empty()))
    return runtime_error("auto-fill needs a list of entity objects, got " + describe_type(found));
  for (const auto& entity : found)
    if (!entity.is_object())
      return runtime_error("auto-fill needs entity objects, got " + describe_type(entity) + " in the list");
  for (const auto& slot : slots) {
    if (!slot.auto_fill) continue;
    Json values = Json::array();
    for (const auto& entity : found) {
      // Role and group do not matter.
      if (entity.value("entity", Json()) == slot.name)
        values.push_back(entity.value("value", Json()));
    }
    if (values.empty()) continue;
    out.emplace_back(slot.name, slot.is_list() ? values : values.back());
  }
  return out;
}

const std::vector<std::string>& default_action_names() { return kDefaultActions; }

}  // namespace convo
