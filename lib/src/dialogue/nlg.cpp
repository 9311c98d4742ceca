#include "convo/dialogue/nlg.hpp"

#include <random>
#include <regex>

#include "convo/core/text.hpp"

namespace convo::dialogue {
namespace {

struct FormatError {
  bool key_error;  // KeyError (caught by Rasa: string left unchanged) or ValueError/IndexError
  std::string what;
};

// Python's str.format(values) restricted to what interpolation produces: "{{", "}}", fields
// "{0[key]}" (positional 0 is `values`), "{}" (automatic numbering), named fields (KeyError).
std::variant<std::string, FormatError> py_format(const std::string& text, const Json& values) {
  std::string out;
  bool manual = false, automatic = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return FormatError{false, "Single '}' encountered in format string"};
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    // A field: up to the matching '}' (brackets may hold anything but ']').
    std::size_t j = i + 1;
    int depth = 0;
    bool in_bracket = false;
    for (; j < text.size(); ++j) {
      char d = text[j];
      if (in_bracket) {
        if (d == ']') in_bracket = false;
        continue;
      }
      if (d == '[') in_bracket = true;
      else if (d == '{') ++depth;
      else if (d == '}') {
        if (depth == 0) break;
        --depth;
      }
    }
    if (j >= text.size()) return FormatError{false, "expected '}' before end of string"};
    const std::string field = text.substr(i + 1, j - i - 1);
    i = j;
    // arg_name, then [key] lookups; conversion/spec are not produced by interpolation.
    std::size_t k = 0;
    while (k < field.size() && field[k] != '[' && field[k] != '.' && field[k] != '!' && field[k] != ':') ++k;
    const std::string arg = field.substr(0, k);
    Json value;
    if (arg.empty()) {
      if (manual) return FormatError{false, "cannot switch from manual field specification to automatic field numbering"};
      automatic = true;
      value = values;
    } else if (arg.find_first_not_of("0123456789") == std::string::npos) {
      if (automatic) return FormatError{false, "cannot switch from automatic field numbering to manual field specification"};
      manual = true;
      if (arg != "0") return FormatError{false, "Replacement index " + arg + " out of range for positional args tuple"};
      value = values;
    } else {
      return FormatError{true, arg};
    }
    while (k < field.size() && field[k] == '[') {
      std::size_t close = field.find(']', k);
      if (close == std::string::npos) return FormatError{false, "Missing ']' in format string"};
      const std::string key = field.substr(k + 1, close - k - 1);
      k = close + 1;
      const bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
      if (numeric || !value.is_object() || !value.contains(key)) return FormatError{true, key};
      value = value[key];
    }
    if (k < field.size()) return FormatError{false, "unsupported format field '" + field + "'"};
    out += py_str(value);
  }
  return out;
}

// Rasa's interpolate(): strings in place, dicts recursively, lists element by element.
Result<Json> interpolate(Json value, const Json& values, std::vector<std::string>& warnings) {
  if (value.is_string()) {
    auto text = interpolate_text(value.get<std::string>(), values, warnings);
    if (!text) return text.error();
    return Json(*text);
  }
  if (value.is_object() || value.is_array()) {
    for (auto& item : value) {
      auto filled = interpolate(item, values, warnings);
      if (!filled) return filled.error();
      item = std::move(*filled);
    }
  }
  return value;
}

bool non_empty(const Json& v) { return py_truthy(v); }

}  // namespace

Chooser random_chooser() {
  return [](std::size_t n) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
  };
}

Result<std::string> interpolate_text(const std::string& text, const Json& values, std::vector<std::string>& warnings) {
  static const std::regex placeholder(R"(\{([^\n{}]+?)\})");
  const std::string fields = std::regex_replace(text, placeholder, "{0[$1]}");
  auto formatted = py_format(fields, values);
  auto key_error = [&](const std::string& key) {
    warnings.push_back("Failed to replace placeholders in response '" + text + "'. Tried to replace '" + key +
                       "' but could not find a value for it. There is no slot with this name nor did you pass the "
                       "value explicitly when calling the response. Return response without filling the response. ");
    return text;
  };
  if (auto* err = std::get_if<FormatError>(&formatted)) {
    if (err->key_error) return key_error(err->what);
    return runtime_error(err->what);
  }
  const std::string& result = std::get<std::string>(formatted);
  if (result.find("0[") == std::string::npos) return result;
  // An escaped {{name}}: the original text formatted without values.
  auto raw = py_format(text, Json::object());
  if (auto* err = std::get_if<FormatError>(&raw)) {
    if (err->key_error) return key_error(err->what);
    return runtime_error(err->what);
  }
  return std::get<std::string>(raw);
}

Result<std::optional<Json>> generate_response(const Json& responses, const std::string& utter_action,
                                              const Json& slot_values, const std::string& output_channel,
                                              const Json& kwargs, const Chooser& choose,
                                              std::vector<std::string>& warnings) {
  auto found = responses.find(utter_action);
  if (found == responses.end() || !found->is_array()) return std::optional<Json>();
  std::vector<const Json*> conditional_channel, default_channel, conditional_plain, default_plain;
  for (const auto& variation : *found) {
    if (!variation.is_object()) continue;
    const Json condition = variation.value("condition", Json());
    const Json channel = variation.value("channel", Json());
    const bool on_channel = channel.is_string() && channel.get<std::string>() == output_channel;
    if (condition.is_null()) {
      if (channel.is_null()) default_plain.push_back(&variation);
      else if (on_channel) default_channel.push_back(&variation);
      continue;
    }
    if (!py_truthy(condition) || !condition.is_array()) continue;
    bool matches = true;
    for (const auto& c : condition) {
      if (!c.is_object()) continue;
      const std::string name = string_or(c, "name");
      const Json current = slot_values.is_object() && slot_values.contains(name) ? slot_values[name] : Json();
      if (!py_equal(current, c.value("value", Json()))) matches = false;
    }
    if (!matches) continue;
    if (channel.is_null()) conditional_plain.push_back(&variation);
    else if (on_channel) conditional_channel.push_back(&variation);
  }
  const std::vector<const Json*>* pool = !conditional_channel.empty() ? &conditional_channel
                                         : !default_channel.empty()   ? &default_channel
                                         : !conditional_plain.empty() ? &conditional_plain
                                                                      : &default_plain;
  if (pool->empty()) return std::optional<Json>();
  Json response = *(*pool)[pool->size() == 1 ? 0 : choose(pool->size()) % pool->size()];
  Json values = slot_values.is_object() ? slot_values : Json::object();
  if (kwargs.is_object())
    for (const auto& [k, v] : kwargs.items()) values[k] = v;
  if (!values.empty())
    for (const char* key : {"text", "image", "custom", "buttons", "attachment", "quick_replies"}) {
      if (!response.contains(key)) continue;
      auto filled = interpolate(response[key], values, warnings);
      if (!filled) return filled.error();
      response[key] = std::move(*filled);
    }
  return std::optional<Json>(std::move(response));
}

Json bot_event_for(Json message, double timestamp) {
  auto take = [&](const char* key) {
    auto it = message.find(key);
    if (it == message.end()) return Json();
    Json v = std::move(*it);
    message.erase(key);
    return v;
  };
  Json text = take("text");
  Json elements = take("elements"), quick = take("quick_replies"), buttons = take("buttons");
  Json attachment = take("attachment");
  if (!py_truthy(attachment)) attachment = message.value("image", Json());
  Json image = take("image"), custom = take("custom");
  Json event = Json::object();
  event["event"] = "bot";
  event["timestamp"] = timestamp;
  event["metadata"] = std::move(message);
  event["text"] = std::move(text);
  event["data"] = {{"elements", elements}, {"quick_replies", quick}, {"buttons", buttons},
                   {"attachment", attachment}, {"image", image}, {"custom", custom}};
  return event;
}

std::vector<Json> collector_messages(const Json& bot_event, const std::string& recipient_id) {
  const Json data = bot_event.value("data", Json::object());
  const Json text = bot_event.value("text", Json());
  Json image = data.value("image", Json()), attachment = data.value("attachment", Json());
  if (attachment == image) attachment = nullptr;  // the legacy copy of the image
  std::vector<Json> out;
  auto object = [&]() { return Json{{"recipient_id", recipient_id}}; };
  const Json quick = data.value("quick_replies", Json()), buttons = data.value("buttons", Json());
  if (non_empty(quick) || non_empty(buttons)) {
    Json o = object();
    if (!text.is_null()) o["text"] = text;
    o["buttons"] = non_empty(quick) ? quick : buttons;
    out.push_back(o);
  } else if (text.is_string() && !text.get<std::string>().empty()) {
    const std::string trimmed = strip_whitespace(text.get<std::string>());
    std::size_t start = 0;
    while (true) {
      std::size_t at = trimmed.find("\n\n", start);
      Json o = object();
      o["text"] = trimmed.substr(start, at == std::string::npos ? std::string::npos : at - start);
      out.push_back(o);
      if (at == std::string::npos) break;
      start = at + 2;
    }
  }
  if (non_empty(data.value("custom", Json()))) {
    Json o = object();
    o["custom"] = data["custom"];
    out.push_back(o);
  }
  if (py_truthy(image)) {
    Json o = object();
    o["image"] = image;
    out.push_back(o);
  }
  if (py_truthy(attachment)) {
    Json o = object();
    o["attachment"] = attachment;
    out.push_back(o);
  }
  const Json elements = data.value("elements", Json());
  if (elements.is_array())
    for (const auto& e : elements) {
      Json o = object();
      const std::string title = e.is_object() && e.contains("title") && e["title"].is_string() ? e["title"].get<std::string>() : "";
      const std::string subtitle = e.is_object() && e.contains("subtitle") && e["subtitle"].is_string() ? e["subtitle"].get<std::string>() : "";
      o["text"] = title + " : " + subtitle;
      o["buttons"] = e.is_object() ? e.value("buttons", Json::array()) : Json::array();
      out.push_back(o);
    }
  return out;
}

}  // namespace convo::dialogue
