// Slot and form definitions of a domain, as Rasa 2.8's Slot classes and Domain._initialize_forms
// accept them (spec §9.1, §9.4; rasa/shared/core/slots.py, domain.py).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "domain_internal.hpp"

namespace convo::domain_internal {

namespace {

struct BuiltinSlotType {
  const char* type;
  const char* class_name;
  bool featurized;                    // influence_conversation default; false: must stay false
  std::vector<std::string> own_keys;  // constructor keywords beyond the common ones
};

const std::vector<BuiltinSlotType>& builtin_types() {
  static const std::vector<BuiltinSlotType> types = {
      {"text", "TextSlot", true, {}},
      {"bool", "BooleanSlot", true, {}},
      {"categorical", "CategoricalSlot", true, {"values"}},
      {"float", "FloatSlot", true, {"max_value", "min_value"}},
      {"list", "ListSlot", true, {}},
      {"any", "AnySlot", false, {}},
      {"unfeaturized", "UnfeaturizedSlot", false, {}},
  };
  return types;
}

// Keywords every Slot constructor takes. `mappings` is the 3.x way to fill a slot; a 2.8 tracker
// has no use for it, but accepting it lets convo read 3.x domains.
const std::vector<std::string> kCommonKeys = {"initial_value", "value_reset_delay", "auto_fill",
                                              "influence_conversation", "mappings"};

// Rasa resolves a dotted type by import; its own classes are reachable that way too.
const char kRasaSlotModule[] = "rasa.shared.core.slots.";
const char kOtherValue[] = "__other__";

std::string type_choices() {
  return "expected one of text, bool, categorical, float, list, any, unfeaturized, or a custom "
         "slot class path such as 'my_module.MySlot'";
}

std::string comma_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

double as_double(const Json& v) {
  return v.is_boolean() ? (v.get<bool>() ? 1 : 0) : v.get<double>();
}

// Python's ordering of two values (<0, 0, >0), or nullopt where Python raises TypeError.
std::optional<int> py_compare(const Json& a, const Json& b) {
  auto numeric = [](const Json& v) { return v.is_number() || v.is_boolean(); };
  if (numeric(a) && numeric(b)) {
    if (py_equal(a, b)) return 0;
    return as_double(a) < as_double(b) ? -1 : 1;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_array() && b.is_array()) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      if (!py_equal(a[i], b[i])) return py_compare(a[i], b[i]);
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  }
  return std::nullopt;
}

Failure check_float_range(SlotDef& slot, const Json& def, const std::string& ptr,
                          const LoadContext& ctx) {
  if (def.contains("min_value")) slot.min_value = def["min_value"];
  if (def.contains("max_value")) slot.max_value = def["max_value"];
  const std::string bounds =
      "min (" + py_str(slot.min_value) + ") and max (" + py_str(slot.max_value) + ")";
  auto not_comparable = [&](const char* what) {
    return ctx.fail(ptr, "Float slot ('" + slot.name + "') cannot compare " + what +
                             ": min_value, max_value and initial_value must be numbers");
  };
  auto order = py_compare(slot.min_value, slot.max_value);
  if (!order) return not_comparable("min_value with max_value");
  if (*order >= 0)
    return ctx.fail(ptr, "Float slot ('" + slot.name + "') created with an invalid range using " +
                             bounds + " values. Make sure min is smaller than max.");
  if (slot.initial_value.is_null()) return std::nullopt;
  // Python evaluates `min <= initial <= max` left to right and stops at the first False.
  auto low = py_compare(slot.min_value, slot.initial_value);
  if (!low) return not_comparable("initial_value with min_value");
  bool in_range = *low <= 0;
  if (in_range) {
    auto high = py_compare(slot.initial_value, slot.max_value);
    if (!high) return not_comparable("initial_value with max_value");
    in_range = *high <= 0;
  }
  if (!in_range)
    ctx.warnings.push_back("Float slot ('" + slot.name + "') created with an initial value " +
                           py_str(slot.initial_value) + ". This value is outside of the " +
                           "configured " + bounds + " values.");
  return std::nullopt;
}

Failure read_categorical_values(SlotDef& slot, const Json& def, const std::string& ptr,
                                const LoadContext& ctx) {
  auto it = def.find("values");
  if (it != def.end() && py_truthy(*it)) {
    if (it->is_array()) {
      bool has_null = false;
      for (const auto& v : *it) {
        if (v.is_null()) {
          has_null = true;
          continue;
        }
        slot.values.push_back(py_lower(py_str(v)));
      }
      if (has_null)
        ctx.warnings.push_back(
            "Categorical slot '" + slot.name + "' has `null` listed as a possible value in the "
            "domain file, which translates to `None` in Python. This value is reserved for when "
            "the slot is not set, and should not be listed as a value in the slot's definition. "
            "Rasa will ignore `null` as a possible value for the '" + slot.name + "' slot. "
            "Consider changing this value in your domain file to, for example, `unset`, or "
            "provide the value explicitly as a string by using quotation marks: \"null\".");
    } else if (it->is_object()) {
      for (const auto& item : it->items()) slot.values.push_back(py_lower(item.key()));
    } else {
      return ctx.fail(child(ptr, "values"), "slot '" + slot.name + "': `values` must be a list "
                                            "of the values the slot can take, not " + kind_of(*it));
    }
  }
  if (std::find(slot.values.begin(), slot.values.end(), kOtherValue) == slot.values.end())
    slot.values.emplace_back(kOtherValue);
  return std::nullopt;
}

Failure build_builtin_slot(const BuiltinSlotType& type, const Json& def, const std::string& ptr,
                           const LoadContext& ctx, SlotDef& slot) {
  slot.type = type.type;
  slot.class_name = type.class_name;
  slot.influence_conversation = type.featurized;
  // Python rejects an unexpected keyword before the constructor body runs, so check keys first.
  std::vector<std::string> allowed = kCommonKeys;
  allowed.insert(allowed.end(), type.own_keys.begin(), type.own_keys.end());
  for (const auto& item : def.items()) {
    if (item.key() == "type" || std::count(allowed.begin(), allowed.end(), item.key())) continue;
    return ctx.fail(child(ptr, item.key()), "slot '" + slot.name + "' (type " + type.type +
                                                ") has unknown key '" + item.key() +
                                                "' (allowed: " + comma_list(allowed) + ")");
  }
  if (def.contains("initial_value")) slot.initial_value = def["initial_value"];
  if (def.contains("auto_fill")) slot.auto_fill = py_truthy(def["auto_fill"]);
  if (def.contains("influence_conversation"))
    slot.influence_conversation = py_truthy(def["influence_conversation"]);

  if (!type.featurized && slot.influence_conversation)
    return ctx.fail(child(ptr, "influence_conversation"),
                    "slot '" + slot.name + "' of type " + type.type +
                        " cannot influence the conversation (it is never featurized): remove "
                        "`influence_conversation: true` or use another slot type");
  if (slot.type == "unfeaturized")
    ctx.warnings.push_back("UnfeaturizedSlot is deprecated and will be removed in Rasa Open "
                           "Source 3.0. Please change the type and configure the "
                           "'influence_conversation' flag for slot '" + slot.name + "' instead.");
  if (slot.type == "float") return check_float_range(slot, def, ptr, ctx);
  if (slot.type == "categorical") return read_categorical_values(slot, def, ptr, ctx);
  return std::nullopt;
}

// A class Rasa would import; convo cannot, so it keeps the definition for whoever needs it.
void build_custom_slot(const std::string& path, const Json& def, SlotDef& slot) {
  slot.type = path;
  slot.class_name = path.substr(path.rfind('.') + 1);
  for (const auto& item : def.items()) {
    const std::string& key = item.key();
    if (key == "type") continue;
    if (key == "initial_value")
      slot.initial_value = item.value();
    else if (key == "auto_fill")
      slot.auto_fill = py_truthy(item.value());
    else if (key == "influence_conversation")
      slot.influence_conversation = py_truthy(item.value());
    else
      slot.extra[key] = item.value();
  }
}

Failure build_slot(const std::string& name, const Json& def, const std::string& ptr,
                   const LoadContext& ctx, SlotDef& slot) {
  slot.name = name;
  if (!def.is_object())
    return ctx.fail(
        ptr, "slot '" + name + "' must be a mapping with at least a `type`, not " + kind_of(def));
  auto type_it = def.find("type");
  if (type_it == def.end() || type_it->is_null())
    return ctx.fail(ptr, "slot '" + name + "' has no `type` (" + type_choices() + ")");
  const std::string type_ptr = child(ptr, "type");
  if (!type_it->is_string())
    return ctx.fail(type_ptr, "slot '" + name + "': `type` must be a string, not " +
                                  kind_of(*type_it) + " (" + type_choices() + ")");
  const std::string& type = type_it->get_ref<const std::string&>();
  for (const auto& builtin : builtin_types()) {
    if (type == builtin.type || type == kRasaSlotModule + std::string(builtin.class_name))
      return build_builtin_slot(builtin, def, ptr, ctx, slot);
  }
  // Rasa imports a dotted path and otherwise fails with InvalidSlotTypeException.
  if (type.find('.') == std::string::npos || type.back() == '.')
    return ctx.fail(type_ptr,
                    "slot '" + name + "' has unknown type '" + type + "' (" + type_choices() + ")");
  build_custom_slot(type, def, slot);
  return std::nullopt;
}

SlotDef default_slot(const char* name, const char* type, const char* class_name) {
  SlotDef slot;
  slot.name = name;
  slot.type = type;
  slot.class_name = class_name;
  slot.influence_conversation = false;
  return slot;
}

// Rasa 2.8's SlotMapping.validate: the mapping types a 2.x form understands.
Failure check_slot_mapping(const Json& mapping, const std::string& form, const std::string& slot,
                           const std::string& ptr, const LoadContext& ctx) {
  if (!mapping.is_object())
    return ctx.fail(ptr, "form '" + form + "': the slot mappings for slot '" + slot +
                             "' must be mappings, not " + kind_of(mapping));
  const Json type = mapping.contains("type") ? mapping["type"] : Json();
  std::vector<std::string> required;
  if (type == "from_entity")
    required = {"entity"};
  else if (type == "from_intent" || type == "from_trigger_intent")
    required = {"value"};
  else if (type != "from_text")
    return ctx.fail(ptr, "form '" + form + "' uses an invalid slot mapping of type '" +
                             py_str(type) + "' for slot '" + slot +
                             "' (expected from_entity, "
                             "from_intent, from_trigger_intent or from_text)");
  for (const auto& key : required) {
    if (!mapping.contains(key) || mapping[key].is_null())
      return ctx.fail(ptr, "form '" + form + "': the slot mapping of type '" + py_str(type) +
                               "' for slot '" + slot + "' needs a value for '" + key + "'");
  }
  return std::nullopt;
}

Failure check_form(const std::string& form, const Json& data, const std::string& ptr,
                   const LoadContext& ctx) {
  if (!data.is_object())
    return ctx.fail(ptr,
                    "the contents of form '" + form + "' must be a mapping, not " + kind_of(data));
  const bool keyed = data.contains("required_slots");
  if (data.contains("ignored_intents") && !keyed)
    return ctx.fail(ptr, "form '" + form + "' uses `ignored_intents`, so its slot mappings "
                                           "must be under the key `required_slots`");
  if (!keyed)
    ctx.warnings.push_back(
        "The definition of slot mappings in your form should always be preceded by the keyword "
        "`required_slots`. The lack of this keyword will be deprecated in Rasa Open Source "
        "3.0.0. Please see https://rasa.com/docs/rasa/forms for more information.");
  const Json& slots = keyed ? data["required_slots"] : data;
  const std::string slots_ptr = keyed ? child(ptr, "required_slots") : ptr;
  // 3.x lists the slot names only; the mappings moved to the slots.
  if (keyed && slots.is_array() &&
      std::all_of(slots.begin(), slots.end(), [](const Json& s) { return s.is_string(); }))
    return std::nullopt;
  if (!slots.is_object())
    return ctx.fail(slots_ptr, "the slots of form '" + form + "' must be a mapping of slot "
                                                              "names to slot mappings, not " +
                                   kind_of(slots));
  for (const auto& item : slots.items()) {
    const std::string slot_ptr = child(slots_ptr, item.key());
    if (!item.value().is_array())
      return ctx.fail(slot_ptr, "form '" + form + "': the slot mappings for slot '" + item.key() +
                                    "' must be a list, not " + kind_of(item.value()));
    for (std::size_t i = 0; i < item.value().size(); ++i) {
      if (auto err = check_slot_mapping(item.value()[i], form, item.key(), child(slot_ptr, i), ctx))
        return err;
    }
  }
  return std::nullopt;
}

}  // namespace

Failure build_user_slots(const Json& slots, const LoadContext& ctx, std::vector<SlotDef>& out) {
  if (!slots.is_object())
    return ctx.fail("/slots", "`slots` must be a mapping of slot names to slot definitions, not " +
                                  kind_of(slots));
  for (const auto& item : slots.items()) {
    SlotDef slot;
    if (auto err = build_slot(item.key(), item.value(), child("/slots", item.key()), ctx, slot))
      return err;
    out.push_back(std::move(slot));
  }
  return std::nullopt;
}

Failure build_forms(const Json& forms, const LoadContext& ctx, Domain& domain,
                    std::vector<std::string>& form_actions) {
  if (forms.is_array()) {
    for (std::size_t i = 0; i < forms.size(); ++i) {
      if (!forms[i].is_string())
        return ctx.fail(child("/forms", i), "with the deprecated list syntax for forms every "
                                            "form name must be a string, not " + kind_of(forms[i]));
    }
    ctx.warnings.push_back(
        "The `forms` section in the domain used the old Rasa Open Source 1 list format to define "
        "forms. Rasa Open Source will be configured to use the deprecated `FormAction` within "
        "the Rasa SDK. If you want to use the new Rasa Open Source 2 `FormAction` adapt your "
        "`forms` section as described in the documentation. Support for the deprecated "
        "`FormAction` in the Rasa SDK will be removed in Rasa Open Source 3.0.");
    for (const auto& name : forms) {
      domain.form_names.push_back(name.get<std::string>());
      domain.forms[name.get<std::string>()] = Json::object();
      form_actions.push_back(name.get<std::string>());
    }
    return std::nullopt;
  }
  if (!forms.is_object())
    return ctx.fail("/forms", "`forms` must be a mapping of form names to form definitions, "
                              "not " + kind_of(forms));
  for (const auto& item : forms.items()) {
    const std::string ptr = child("/forms", item.key());
    Json data = item.value();
    // Rasa leaves a form without contents as it is (null).
    if (!data.is_null()) {
      if (auto err = check_form(item.key(), data, ptr, ctx)) return err;
      if (!data.contains("required_slots")) data = Json{{"required_slots", data}};
    }
    domain.form_names.push_back(item.key());
    domain.forms[item.key()] = std::move(data);
  }
  return std::nullopt;
}

void add_default_slots(Domain& domain, bool has_knowledge_base_action) {
  auto defined = [&](const std::string& name) { return domain.find_slot(name) != nullptr; };
  if (!domain.form_names.empty() && !defined("requested_slot"))
    domain.slots.push_back(default_slot("requested_slot", "text", "TextSlot"));
  if (has_knowledge_base_action) {
    for (const char* name : {"knowledge_base_listed_objects", "knowledge_base_last_object",
                             "knowledge_base_last_object_type"}) {
      if (!defined(name)) domain.slots.push_back(default_slot(name, "text", "TextSlot"));
    }
  }
  // Unconditional: a domain that defines it too then fails the duplicate-slot check.
  domain.slots.push_back(default_slot("session_started_metadata", "any", "AnySlot"));
}

namespace {

char32_t lower_code_point(char32_t c) {
  auto pair_up = [c](bool even_upper) { return (c % 2 == 0) == even_upper ? c + 1 : c; };
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || (c >= 0x1E00 && c <= 0x1EFF))
    return pair_up(true);
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return pair_up(false);
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  return c;
}

}  // namespace

std::string py_lower(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto lead = static_cast<unsigned char>(s[i]);
    std::size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (len == 0 || i + len > s.size()) {  // not UTF-8: keep the byte
      out += s[i++];
      continue;
    }
    char32_t c = len == 1 ? lead : lead & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k)
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (c == 0x130) {  // Python: 'İ'.lower() is 'i' + COMBINING DOT ABOVE
      out += "i\xCC\x87";
      continue;
    }
    c = lower_code_point(c);
    // These mappings keep the UTF-8 length, so the lead byte keeps its length prefix.
    std::string bytes(len, '\0');
    for (std::size_t k = len - 1; k > 0; --k, c >>= 6)
      bytes[k] = static_cast<char>(0x80 | (c & 0x3F));
    bytes[0] = static_cast<char>(len == 1 ? c : (lead & ~(0x7Fu >> len)) | c);
    out += bytes;
  }
  return out;
}

}  // namespace convo::domain_internal
