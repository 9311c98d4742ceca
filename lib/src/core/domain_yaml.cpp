// YAML to Json with line numbers, and the schema checks Rasa applies to domain files.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <set>

#include "domain_internal.hpp"

namespace convo::domain_internal {

std::string SourceMap::prefix(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return source_ + ":" + std::to_string(it->second) + ": ";
    if (p.empty()) return source_ + ": ";
    p.erase(p.rfind('/'));
  }
}

std::string child(const std::string& pointer, const std::string& key) {
  std::string out = pointer + "/";
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string kind_of(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  return v.is_array() ? "a list" : "a mapping";
}

namespace {

// --- YAML text -> Json, typed the way Rasa's ruamel loader (YAML 1.2, safe) types scalars ---

Json number_from_text(std::string text, int base) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  if (base != 10) text.erase(text[0] == '-' || text[0] == '+' ? 1 : 0, 2);  // the 0x / 0o prefix
  errno = 0;
  long long value = std::strtoll(text.c_str(), nullptr, base);
  if (errno == 0) return static_cast<std::int64_t>(value);
  errno = 0;
  unsigned long long big = std::strtoull(text.c_str(), nullptr, base);
  if (errno == 0 && text[0] != '-') return static_cast<std::uint64_t>(big);
  return std::strtod(text.c_str(), nullptr);  // Python has big ints; convo rounds
}

Json resolve_plain_scalar(const std::string& s) {
  static const std::regex dec("[-+]?[0-9][0-9_]*");
  static const std::regex hex("[-+]?0x[0-9a-fA-F_]+");
  static const std::regex oct("[-+]?0o[0-7_]+");
  static const std::regex real(
      "[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|"
      "\\.[0-9_]+([eE][-+][0-9]+)?");
  static const std::regex inf("[-+]?\\.(inf|Inf|INF)");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, dec)) return number_from_text(s, 10);
  if (std::regex_match(s, hex)) return number_from_text(s, 16);
  if (std::regex_match(s, oct)) return number_from_text(s, 8);
  if (std::regex_match(s, real)) {
    std::string text = s;
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    return std::strtod(text.c_str(), nullptr);
  }
  if (std::regex_match(s, inf)) return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::nan("");
  return s;
}

// Converts a yaml-cpp tree and notes the line of every mapping key and list item.
class YamlReader {
 public:
  explicit YamlReader(SourceMap& map) : map_(map) {}

  Failure read(const YAML::Node& node, const std::string& ptr, Json& out) {
    const std::string& tag = node.Tag();
    switch (node.Type()) {
      case YAML::NodeType::Sequence:
        out = Json::array();
        for (std::size_t i = 0; i < node.size(); ++i) {
          note(child(ptr, i), node[i].Mark());
          out.push_back(nullptr);
          if (auto err = read(node[i], child(ptr, i), out.back())) return err;
        }
        return std::nullopt;
      case YAML::NodeType::Map:
        return read_map(node, ptr, out);
      case YAML::NodeType::Scalar:
        if (tag == "?")
          out = resolve_plain_scalar(node.Scalar());
        else if (tag == "!" || tag == "tag:yaml.org,2002:str")
          out = node.Scalar();
        else if (tag.rfind("tag:yaml.org,2002:", 0) == 0)
          out = resolve_plain_scalar(node.Scalar());
        else
          return syntax_error(node.Mark(), "unsupported tag '" + tag + "'");
        return std::nullopt;
      default:
        out = tag == "tag:yaml.org,2002:str" ? Json("") : Json();
        return std::nullopt;
    }
  }

  Error syntax_error(const YAML::Mark& mark, const std::string& what) const {
    return runtime_error(map_.source() + ":" + std::to_string(mark.line + 1) + ":" +
                         std::to_string(mark.column + 1) + ": invalid YAML: " + what);
  }

 private:
  void note(const std::string& ptr, const YAML::Mark& mark) {
    if (mark.line >= 0) map_.set_line(ptr, mark.line + 1);
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
  }

  Failure read_map(const YAML::Node& node, const std::string& ptr, Json& out) {
    out = Json::object();
    // Merge keys (`<<: *base`) first: the map's own keys override what they bring in.
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!is_merge_key(it->first)) continue;
      Json merged;
      if (auto err = read(it->second, ptr, merged)) return err;
      if (merged.is_object()) merged = Json::array({merged});
      for (const auto& source : merged) {
        if (!source.is_object()) return syntax_error(it->second.Mark(), "`<<` needs a mapping");
        for (const auto& item : source.items())
          if (!out.contains(item.key())) out[item.key()] = item.value();
      }
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node& key = it->first;
      if (is_merge_key(key)) continue;
      if (key.IsMap() || key.IsSequence())
        return syntax_error(key.Mark(), "a mapping key must be a plain value");
      const std::string name = key.IsNull() ? "null" : key.Scalar();
      if (!seen.insert(name).second)
        return syntax_error(key.Mark(), "found duplicate key '" + name + "'");
      const std::string key_ptr = child(ptr, name);
      note(key_ptr, key.Mark());
      if (auto err = read(it->second, key_ptr, out[name])) return err;
    }
    return std::nullopt;
  }

  SourceMap& map_;
};

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
  YamlReader reader(map);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return reader.syntax_error(e.mark, e.msg);
  }
  if (docs.size() > 1)
    return reader.syntax_error(docs[1].Mark(), "expected a single document, found more");
  Json data;
  if (!docs.empty()) {
    if (docs[0].Mark().line >= 0) map.set_line("", docs[0].Mark().line + 1);
    if (auto err = reader.read(docs[0], "", data)) return *err;
  }
  // Rasa's read_yaml returns `content or {}`: an empty (or otherwise falsy) file is an empty
  // domain.
  if (!py_truthy(data)) data = Json::object();
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
