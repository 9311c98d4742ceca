// YAML text -> Json, typed the way Rasa's ruamel loader (YAML 1.2, safe) types scalars.
#include "convo/core/yaml_json.hpp"
#include "convo/core/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <set>
#include <vector>

namespace convo {

std::string SourceMap::prefix(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return source_ + ":" + std::to_string(it->second) + ": ";
    if (p.empty()) return source_ + ": ";
    p.erase(p.rfind('/'));
  }
}

std::string json_pointer_child(const std::string& pointer, const std::string& key) {
  std::string out = pointer + "/";
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

std::string json_pointer_child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

namespace {

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

using Failure = std::optional<Error>;

// Converts a yaml-cpp tree and notes the line of every mapping key and list item.
class YamlReader {
 public:
  YamlReader(SourceMap& map, const PlainScalarHook& hook) : map_(map), hook_(hook) {}

  Failure read(const YAML::Node& node, const std::string& ptr, Json& out) {
    const std::string& tag = node.Tag();
    switch (node.Type()) {
      case YAML::NodeType::Sequence:
        out = Json::array();
        for (std::size_t i = 0; i < node.size(); ++i) {
          const std::string item_ptr = json_pointer_child(ptr, i);
          note(item_ptr, node[i].Mark());
          out.push_back(nullptr);
          if (auto err = read(node[i], item_ptr, out.back())) return err;
        }
        return std::nullopt;
      case YAML::NodeType::Map:
        return read_map(node, ptr, out);
      case YAML::NodeType::Scalar:
        if (tag == "?") {
          std::optional<std::string> replaced;
          if (auto err = run_hook(node, replaced)) return err;
          out = replaced ? Json(*replaced) : resolve_plain_scalar(node.Scalar());
        } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
          out = node.Scalar();
        } else if (tag.rfind("tag:yaml.org,2002:", 0) == 0) {
          out = resolve_plain_scalar(node.Scalar());
        } else {
          return syntax_error(node.Mark(), "unsupported tag '" + tag + "'");
        }
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

  // Lets the hook rewrite a plain scalar; its errors are located at the scalar.
  Failure run_hook(const YAML::Node& node, std::optional<std::string>& replaced) const {
    if (!hook_) return std::nullopt;
    auto result = hook_(node.Scalar());
    if (!result) {
      Error err = result.error();
      const int line = node.Mark().line;
      err.message = (line >= 0 ? map_.source() + ":" + std::to_string(line + 1) + ": "
                               : map_.source() + ": ") +
                    err.message;
      return err;
    }
    replaced = std::move(*result);
    return std::nullopt;
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
  }

  Failure read_map(const YAML::Node& node, const std::string& ptr, Json& out) {
    out = Json::object();
    // Merge keys (`<<: *base`) first: the map's own keys override what they bring in.
    // Each entry is copied out of the iterator: yaml-cpp's `it->first` lives in a proxy that dies
    // with the expression, so a reference to it dangles (found by AddressSanitizer).
    for (const YAML::detail::iterator_value entry : node) {
      if (!is_merge_key(entry.first)) continue;
      Json merged;
      if (auto err = read(entry.second, ptr, merged)) return err;
      if (merged.is_object()) merged = Json::array({merged});
      for (const auto& source : merged) {
        if (!source.is_object()) return syntax_error(entry.second.Mark(), "`<<` needs a mapping");
        for (const auto& item : source.items())
          if (!out.contains(item.key())) out[item.key()] = item.value();
      }
    }
    std::set<std::string> seen;
    for (const YAML::detail::iterator_value entry : node) {
      const YAML::Node& key = entry.first;
      if (is_merge_key(key)) continue;
      if (key.IsMap() || key.IsSequence())
        return syntax_error(key.Mark(), "a mapping key must be a plain value");
      std::string name = key.IsNull() ? "null" : key.Scalar();
      if (key.IsScalar() && key.Tag() == "?") {
        // Plain keys go through the hook too (Rasa's resolver sees every plain scalar).
        std::optional<std::string> replaced;
        if (auto err = run_hook(key, replaced)) return err;
        if (replaced) name = std::move(*replaced);
      }
      if (!seen.insert(name).second)
        return syntax_error(key.Mark(), "found duplicate key '" + name + "'");
      const std::string key_ptr = json_pointer_child(ptr, name);
      note(key_ptr, key.Mark());
      if (auto err = read(entry.second, key_ptr, out[name])) return err;
    }
    return std::nullopt;
  }

  SourceMap& map_;
  const PlainScalarHook& hook_;
};

// yaml-cpp 0.7 never returns from a document whose root node begins with ',' (after optional
// anchors and tags), e.g. a file that starts with ",", found by fuzzing. PyYAML refuses such a
// document ("expected the node content, but found ','"), so it is refused here before yaml-cpp
// sees it. Returns the 0-based line and column of the comma.
std::optional<YAML::Mark> root_comma(std::string_view text) {
  bool at_root = true;  // no node of the current document has begun yet
  std::size_t start = 0;
  for (int line = 0; start <= text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view rest = text.substr(start, end - start);
    start = end + 1;
    auto marker = [&](std::string_view m) {
      return rest.substr(0, 3) == m && (rest.size() == 3 || rest[3] == ' ' || rest[3] == '\t' || rest[3] == '\r');
    };
    std::size_t offset = 0;
    if (marker("---") || marker("...")) {
      at_root = true;
      offset = 3;
    } else if (!at_root || (!rest.empty() && rest[0] == '%')) {
      continue;
    }
    for (;;) {  // properties (&anchor, !tag) and blanks before the root node
      while (offset < rest.size() && (rest[offset] == ' ' || rest[offset] == '\t' || rest[offset] == '\r')) ++offset;
      if (offset >= rest.size() || rest[offset] == '#') break;
      if (rest[offset] == '&' || rest[offset] == '!') {
        while (offset < rest.size() && rest[offset] != ' ' && rest[offset] != '\t') ++offset;
        continue;
      }
      if (rest[offset] == ',') {
        YAML::Mark mark;
        mark.line = line;
        mark.column = static_cast<int>(offset);
        return mark;
      }
      at_root = false;
      break;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Json> yaml_to_json(std::string_view text, SourceMap& map, const PlainScalarHook& hook) {
  YamlReader reader(map, hook);
  if (auto bad = invalid_utf8_at(text)) {
    auto [line, column] = line_column(text, *bad);
    const auto byte = static_cast<unsigned char>(text[*bad]);
    const char hex[3] = {"0123456789ABCDEF"[byte >> 4], "0123456789ABCDEF"[byte & 15], '\0'};
    return runtime_error(map.source() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                         ": invalid YAML: not UTF-8 (byte 0x" + hex + ")");
  }
  if (auto comma = root_comma(text)) return reader.syntax_error(*comma, "expected the node content, but found ','");
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
  return data;
}

}  // namespace convo

namespace convo {
namespace {

void emit(YAML::Emitter& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: out << YAML::Null; break;
    case Json::value_t::boolean: out << v.get<bool>(); break;
    case Json::value_t::number_integer: out << v.get<std::int64_t>(); break;
    case Json::value_t::number_unsigned: out << v.get<std::uint64_t>(); break;
    case Json::value_t::number_float: out << python_float_repr(v.get<double>()); break;
    case Json::value_t::string: out << v.get<std::string>(); break;
    case Json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& x : v) emit(out, x);
      out << YAML::EndSeq;
      break;
    case Json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, x] : v.items()) {
        out << YAML::Key << k << YAML::Value;
        emit(out, x);
      }
      out << YAML::EndMap;
      break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

std::string json_to_yaml(const Json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace convo
