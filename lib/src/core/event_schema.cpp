// Rasa 2.8's EVENTS_SCHEMA (rasa/shared/utils/schemas/events.py) and a small interpreter for the
// JSON-schema keywords it uses, with the semantics of jsonschema 3.2's Draft7Validator (what
// `jsonschema.validate` picks for a schema without "$schema"). The schema is kept as data, in
// Rasa's own key order, so the verdicts follow the Python dict literal rather than a paraphrase.
#include "convo/core/event_schema.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

namespace convo {

namespace {

// The sub-schemas shared between event types, as in events.py. `null` marks the places that are
// filled in below, so every object keeps Rasa's key order (it decides which error comes first).
const char* const kEntitiesSchema = R"({"type": "array", "items": {"type": "object",
  "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
    "entity": {"type": "string"}, "confidence": {"type": "number"},
    "extractor": {"type": ["string", "null"]}, "value": {}, "role": {"type": ["string", "null"]},
    "group": {"type": ["string", "null"]}},
  "required": ["entity", "value"]}})";

const char* const kIntent = R"({"type": "object", "properties": {"name": {"type": "string"},
  "confidence": {"type": "number"}, "id": {"type": "number"}}})";

const char* const kResponseSchema = R"({"type": "object", "properties": {
  "responses": {"type": "array",
    "items": {"type": "object", "properties": {"text": {"type": "string"}}}},
  "response_templates": {"type": "array",
    "items": {"type": "object", "properties": {"text": {"type": "string"}}}},
  "confidence": {"type": "number"}, "intent_response_key": {"type": "string"},
  "utter_action": {"type": "string"}, "template_name": {"type": "string"}}})";

const char* const kRankingSchema = R"({"type": "array", "items": {"type": "object", "properties": {
  "id": {"type": "number"}, "confidence": {"type": "number"},
  "intent_response_key": {"type": "string"}}}})";

const char* const kUserUttered = R"({"properties": {"event": {"const": "user"},
  "text": {"type": ["string", "null"]}, "input_channel": {"type": ["string", "null"]},
  "message_id": {"type": ["string", "null"]},
  "parse_data": {"type": "object", "properties": {"text": {"type": ["string", "null"]},
    "intent_ranking": {"type": "array", "items": null}, "intent": null, "entities": null,
    "response_selector": {"type": "object", "oneOf": [
      {"properties": {"all_retrieval_intents": {"type": "array"}}},
      {"patternProperties": {"[\\w/]": {"type": "object",
        "properties": {"response": null, "ranking": null}}}}]}}}}})";

const char* const kActionExecuted = R"({"properties": {"event": {"const": "action"},
  "policy": {"type": ["string", "null"]}, "confidence": {"type": ["number", "null"]},
  "name": {"type": ["string", "null"]}, "hide_rule_turn": {"type": "boolean"},
  "action_text": {"type": ["string", "null"]}}})";

const char* const kSlotSet = R"({"properties": {"event": {"const": "slot"},
  "name": {"type": "string"}, "value": {}}, "required": ["name", "value"]})";

const char* const kEntitiesAdded = R"({"properties": {"event": {"const": "entities"},
  "entities": null}, "required": ["entities"]})";

// Event types whose sub-schema constrains nothing but the "event" constant, in the order they
// follow the four detailed ones in EVENTS_SCHEMA's oneOf.
const char* const kPlainEventTypes[] = {
    "user_featurization", "cancel_reminder", "reminder", "action_execution_rejected",
    "form_validation", "loop_interrupted", "form", "active_loop", "reset_slots", "resume",
    "pause", "followup", "export", "restart", "undo", "rewind", "bot", "session_started", "agent"};

const char* const kItemSchema = R"({"type": "object", "properties": {"event": {"type": "string"},
  "timestamp": {"type": ["number", "null"]}, "metadata": {"type": ["object", "null"]}},
  "required": ["event"], "oneOf": null})";

// The schema of one item of the event list (EVENTS_SCHEMA["items"]).
Json build_item_schema() {
  const Json entities = Json::parse(kEntitiesSchema);
  const Json intent = Json::parse(kIntent);

  Json user = Json::parse(kUserUttered);
  Json& parse_data = user["properties"]["parse_data"]["properties"];
  parse_data["intent_ranking"]["items"] = intent;
  parse_data["intent"] = intent;
  parse_data["entities"] = entities;
  Json& selector = parse_data["response_selector"]["oneOf"][1]["patternProperties"]["[\\w/]"];
  selector["properties"]["response"] = Json::parse(kResponseSchema);
  selector["properties"]["ranking"] = Json::parse(kRankingSchema);

  Json entities_added = Json::parse(kEntitiesAdded);
  entities_added["properties"]["entities"] = entities;

  Json one_of = Json::array(
      {user, Json::parse(kActionExecuted), Json::parse(kSlotSet), entities_added});
  for (const char* type : kPlainEventTypes) {
    Json plain = Json::object();
    plain["properties"]["event"]["const"] = type;
    one_of.push_back(std::move(plain));
  }
  Json item = Json::parse(kItemSchema);
  item["oneOf"] = std::move(one_of);
  return item;
}

const Json& item_schema() {
  static const Json schema = build_item_schema();
  return schema;
}

// Python's repr() of a value, as jsonschema puts it in its messages. Long values are cut, because
// the message has to stay one readable line.
std::string repr(const Json& v) {
  Json wrapper = Json::array();
  wrapper.push_back(v);
  std::string text = py_str(wrapper);  // "[<repr>]": py_str of a list reprs its elements
  text = text.substr(1, text.size() - 2);
  constexpr std::size_t kMax = 80;
  if (text.size() <= kMax) return text;
  std::size_t cut = kMax - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// jsonschema's Draft 6+ type checker: booleans are not numbers, and a float with an integral value
// (1.0) counts as an "integer" (Draft 4 would reject it; Rasa's validate() uses Draft 7).
bool has_type(const Json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  throw std::logic_error("event schema uses unknown type " + type);
}

// jsonschema's `equal` for "const": Python == except that booleans never equal numbers.
bool schema_equal(const Json& a, const Json& b) {
  if (a.is_boolean() || b.is_boolean()) return a == b;
  return py_equal(a, b);
}

// Decodes one UTF-8 code point starting at s[i] and advances i; malformed bytes decode as
// themselves so the scan never stalls.
std::uint32_t next_code_point(const std::string& s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  std::uint32_t c = byte(i++);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0) return c;
  c &= 0x3F >> extra;
  for (; extra > 0 && i < s.size() && (byte(i) & 0xC0) == 0x80; --extra)
    c = c << 6 | (byte(i++) & 0x3F);
  return c;
}

// Python's Unicode `\w` for code points above ASCII, approximately: the exact Latin-1 exceptions
// plus the large blocks of marks, punctuation, symbols, private use and emoji that are not word
// characters. Everything else (letters and digits of every script) counts as a word character.
bool is_word_code_point(std::uint32_t c) {
  static const std::pair<std::uint32_t, std::uint32_t> kNonWord[] = {
      {0x80, 0xA9},       {0xAB, 0xB1},       {0xB4, 0xB4},       {0xB6, 0xB8},
      {0xBB, 0xBB},       {0xBF, 0xBF},       {0xD7, 0xD7},       {0xF7, 0xF7},
      {0x2EF, 0x36F},     {0x1FFD, 0x206F},   {0x209D, 0x2101},   {0x218A, 0x245F},
      {0x249C, 0x24E9},   {0x2500, 0x2775},   {0x2794, 0x2BFF},   {0x2E30, 0x3004},
      {0x3008, 0x3020},   {0xD800, 0xF8FF},   {0xFDFC, 0xFE6F},   {0xFF00, 0xFF0F},
      {0x1F10D, 0x1FBEF}, {0xE0000, 0x10FFFF}};
  for (const auto& [lo, hi] : kNonWord)
    if (c >= lo && c <= hi) return false;
  return true;
}

// re.search(pattern, key) for the one pattern Rasa's schema uses, "[\w/]": does the key contain a
// word character or a slash anywhere?
bool pattern_matches(const std::string& pattern, const std::string& key) {
  if (pattern != "[\\w/]") throw std::logic_error("event schema uses unknown pattern " + pattern);
  for (std::size_t i = 0; i < key.size();) {
    std::uint32_t c = next_code_point(key, i);
    if (c < 0x80 ? (std::isalnum(static_cast<int>(c)) || c == '_' || c == '/')
                 : is_word_code_point(c))
      return true;
  }
  return false;
}

struct Failure {
  std::string path;  // relative to the validated value: "parse_data.entities[0]", or ""
  std::string message;
};
using Result = std::optional<Failure>;

Result fail(std::string message) { return Failure{"", std::move(message)}; }

// Prefixes a child's failure with the step that led to it ("key" or "[i]").
Result under(Result r, const std::string& step) {
  if (!r) return r;
  if (r->path.empty())
    r->path = step;
  else
    r->path = step + (r->path[0] == '[' ? "" : ".") + r->path;
  return r;
}

std::string ordinal(std::size_t i) {
  static const char* const kNames[] = {"first", "second", "third", "fourth"};
  return i < 4 ? kNames[i] : "#" + std::to_string(i + 1);
}

Result check(const Json& schema, const Json& v);

// The oneOf that dispatches on the event type: every branch pins "event" to a constant, so at
// most one branch can match and its own failure is the useful message (jsonschema would only say
// "is not valid under any of the given schemas"). nullopt when the shortcut does not apply.
std::optional<Result> check_event_dispatch(const Json& branches, const Json& v) {
  if (!v.is_object()) return std::nullopt;
  auto event = v.find("event");
  if (event == v.end() || !event->is_string()) return std::nullopt;
  const Json* chosen = nullptr;
  for (const Json& branch : branches) {
    auto props = branch.find("properties");
    if (props == branch.end() || !props->contains("event")) return std::nullopt;
    const Json& event_schema = (*props)["event"];
    auto constant = event_schema.find("const");
    if (constant == event_schema.end()) return std::nullopt;
    if (!chosen && schema_equal(*constant, *event)) chosen = &branch;
  }
  if (!chosen) return fail(repr(*event) + " is not a valid event type");
  return check(*chosen, v);
}

Result check_one_of(const Json& branches, const Json& v) {
  if (auto dispatched = check_event_dispatch(branches, v)) return *dispatched;
  std::vector<std::string> reasons;
  std::size_t valid = 0;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    Result r = check(branches[i], v);
    if (!r) {
      ++valid;
      continue;
    }
    reasons.push_back(ordinal(i) + ": " + (r->path.empty() ? "" : r->path + ": ") + r->message);
  }
  if (valid == 1) return std::nullopt;
  if (valid > 1)
    return fail(repr(v) + " is valid under each of " + std::to_string(valid) +
                " of the given schemas (oneOf allows exactly one)");
  std::string detail;
  for (const auto& reason : reasons) detail += (detail.empty() ? "" : "; ") + reason;
  return fail(repr(v) + " is not valid under any of the given schemas (" + detail + ")");
}

// One schema against one value, keywords in the schema's own order like jsonschema's
// iter_errors; the first failure wins. Keywords Rasa's schema does not use are ignored, as
// jsonschema ignores unknown keywords (so additional properties are allowed).
Result check(const Json& schema, const Json& v) {
  for (const auto& [keyword, arg] : schema.items()) {
    if (keyword == "type") {
      // "type" is a name or a list of names; the names only matter for the message.
      static const Json kNoList = Json::array();
      bool ok = arg.is_string() && has_type(v, arg.get_ref<const std::string&>());
      for (const Json& t : arg.is_array() ? arg : kNoList)
        ok = ok || has_type(v, t.get_ref<const std::string&>());
      if (!ok) {
        std::string names;
        for (const Json& t : arg.is_array() ? arg : Json::array({arg}))
          names += (names.empty() ? "'" : ", '") + t.get<std::string>() + "'";
        return fail(repr(v) + " is not of type " + names);
      }
    } else if (keyword == "properties" && v.is_object()) {
      for (const auto& [name, sub] : arg.items())
        if (auto it = v.find(name); it != v.end())
          if (Result r = under(check(sub, *it), name)) return r;
    } else if (keyword == "patternProperties" && v.is_object()) {
      for (const auto& [pattern, sub] : arg.items())
        for (const auto& [name, value] : v.items())
          if (pattern_matches(pattern, name))
            if (Result r = under(check(sub, value), name)) return r;
    } else if (keyword == "required" && v.is_object()) {
      for (const Json& name : arg)
        if (!v.contains(name.get<std::string>()))
          return fail(repr(name) + " is a required property");
    } else if (keyword == "items" && v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i)
        if (Result r = under(check(arg, v[i]), "[" + std::to_string(i) + "]")) return r;
    } else if (keyword == "const") {
      if (!schema_equal(arg, v)) return fail(repr(arg) + " was expected");
    } else if (keyword == "oneOf") {
      if (Result r = check_one_of(arg, v)) return r;
    }
  }
  return std::nullopt;
}

// The event types the schema knows, for labelling items in messages.
const std::set<std::string>& known_event_types() {
  static const std::set<std::string> types = [] {
    std::set<std::string> out;
    for (const Json& branch : item_schema()["oneOf"])
      out.insert(branch["properties"]["event"]["const"].get<std::string>());
    return out;
  }();
  return types;
}

}  // namespace

std::optional<std::string> validate_events_schema(const Json& events) {
  if (!events.is_array()) return "expected a list of events, got " + describe_type(events);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& item = events[i];
    Result r = check(item_schema(), item);
    if (!r) continue;
    std::string label = "events[" + std::to_string(i) + "]";
    if (item.is_object())
      if (auto it = item.find("event"); it != item.end() && it->is_string() &&
                                        known_event_types().count(it->get<std::string>()))
        label += " (" + it->get<std::string>() + ")";
    return label + ": " + (r->path.empty() ? "" : r->path + ": ") + r->message;
  }
  return std::nullopt;
}

}  // namespace convo
