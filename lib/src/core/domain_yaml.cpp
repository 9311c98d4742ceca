// The domain's YAML input (through the shared converter) and the schema checks Rasa applies to
// domain files.
#include <algorithm>
#include <utility>
#include <vector>

#include "domain_internal.hpp"

namespace convo::domain_internal {

std::string child(const std::string& pointer, const std::string& key) {
  return json_pointer_child(pointer, key);
}

std::string child(const std::string& pointer, std::size_t index) {
  return json_pointer_child(pointer, index);
}

std::string kind_of(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  return v.is_array() ? "a list" : "a mapping";
}

namespace {

// --- what Rasa's pykwalify schema rejects beyond what the loader itself checks (YAML only) ---

bool is_string_or_null(const Json& v) { return v.is_string() || v.is_null(); }

// An item of a response's buttons, quick_replies, elements or condition list.
bool list_item_ok(const std::string& key, const Json& item) {
  if (!item.is_object()) return false;
  for (const auto& field : item.items()) {
    if (key == "condition" && field.key() != "type" && field.key() != "name" &&
        field.key() != "value")
      return false;
    bool textual = key == "condition"
                       ? field.key() != "value"
                       : key != "elements" && (field.key() == "title" || field.key() == "payload");
    if (textual && !is_string_or_null(field.value())) return false;
  }
  return key != "condition" || !item.empty();
}

// One variation of a response (rasa/shared/nlu/training_data/schemas/responses.yml).
Failure check_variation(const std::string& name, const Json& v, const std::string& ptr,
                        const LoadContext& ctx) {
  // 's' string, 'm' mapping, 'l' list of mappings, '*' anything
  static const std::vector<std::pair<std::string, char>> kinds = {
      {"text", 's'},        {"image", 's'},         {"custom", 'm'},     {"buttons", 'l'},
      {"button_type", 's'}, {"quick_replies", 'l'}, {"attachment", 'm'}, {"elements", 'l'},
      {"channel", 's'},     {"metadata", '*'},      {"condition", 'l'}};
  auto fail = [&](const std::string& at, const std::string& what) {
    return ctx.fail(at, "response '" + name + "': " + what);
  };
  if (!v.is_object()) return fail(ptr, "each variation must be a mapping, not " + kind_of(v));
  for (const auto& item : v.items()) {
    const std::string& key = item.key();
    const Json& value = item.value();
    auto kind =
        std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == key; });
    if (kind == kinds.end())
      return fail(child(ptr, key), "unknown key '" + key +
                                       "' in a variation (allowed: text, "
                                       "image, custom, buttons, button_type, quick_replies, "
                                       "attachment, elements, channel, metadata, condition)");
    const char k = kind->second;
    bool ok = value.is_null() || k == '*' || (k == 's' && value.is_string()) ||
              (k == 'm' && value.is_object()) ||
              (k == 'l' && value.is_array() &&
               std::all_of(value.begin(), value.end(),
                           [&](const Json& e) { return list_item_ok(key, e); }));
    if (ok) continue;
    std::string expected = k == 's' ? "a string" : k == 'm' ? "a mapping" : "a list of mappings";
    if (key == "condition") expected += " with the keys type, name (strings) and value";
    if (key == "buttons" || key == "quick_replies")
      expected += " whose title and payload are strings";
    // A list with a bad item: naming its kind ("not a list") would only confuse.
    if (!(k == 'l' && value.is_array())) expected += ", not " + kind_of(value);
    return fail(child(ptr, key), "`" + key + "` must be " + expected);
  }
  // pykwalify_extensions.require_response_keys
  if (v.value("text", Json()).is_null() && !py_truthy(v.value("custom", Json())))
    return fail(ptr, "every variation needs a `text` or a `custom` payload");
  return std::nullopt;
}

}  // namespace

Result<Json> read_yaml(std::string_view text, SourceMap& map) {
  auto data = yaml_to_json(text, map);
  if (!data) return data;
  // Rasa's read_yaml returns `content or {}`: an empty (or otherwise falsy) file is an empty
  // domain.
  if (!py_truthy(*data)) *data = Json::object();
  return data;
}

Failure check_schema(const Json& data, const LoadContext& ctx) {
  if (!is_string_or_null(data.value("version", Json())))
    return ctx.fail("/version",
                    "`version` must be a string such as \"2.0\", not " + kind_of(data["version"]));
  const std::string key = data.contains("responses") ? "responses" : "templates";
  const Json responses = data.value(key, Json::object());
  if (!responses.is_object()) return std::nullopt;  // the loader reports that
  for (const auto& response : responses.items()) {
    const std::string ptr = child("/" + key, response.key());
    if (!response.value().is_array())
      return ctx.fail(ptr, "response '" + response.key() + "' must be a list of variations, not " +
                               kind_of(response.value()));
    for (std::size_t i = 0; i < response.value().size(); ++i) {
      if (auto err = check_variation(response.key(), response.value()[i], child(ptr, i), ctx))
        return err;
    }
  }
  return std::nullopt;
}

}  // namespace convo::domain_internal
