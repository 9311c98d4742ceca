// Rasa 2.8's environment-variable substitution in YAML config files (http-api.md §7.4):
// rasa.shared.utils.io.replace_environment_variables, an implicit resolver for plain scalars
// matching ^(.*)\$\{(.*)\}(.*)$ whose constructor runs os.path.expandvars and then checks the
// result's words.
#include <cstdlib>
#include <utility>
#include <vector>

#include "convo/config/endpoints.hpp"

namespace convo {

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool has_env_reference(const std::string& scalar) {
  // The resolver's `.` does not match a newline, and its `$` also matches before a final one.
  std::string_view s(scalar);
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (s.find('\n') != std::string_view::npos) return false;
  const std::size_t open = s.find("${");
  return open != std::string_view::npos && s.find('}', open + 2) != std::string_view::npos;
}

namespace {

// Python's \w under re.ASCII, which os.path.expandvars uses for `$NAME`.
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length in bytes of the whitespace character at s[i] (UTF-8), or 0. The set is Python's
// str.isspace(), which str.split() splits on.
std::size_t whitespace_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u;
  };
  const unsigned c = byte(i);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c == 0xc2 && (byte(i + 1) == 0x85 || byte(i + 1) == 0xa0)) return 2;  // U+0085, U+00A0
  if (c == 0xe1 && byte(i + 1) == 0x9a && byte(i + 2) == 0x80) return 3;    // U+1680
  if (c == 0xe2 && byte(i + 1) == 0x80) {
    const unsigned last = byte(i + 2);  // U+2000..U+200A, U+2028, U+2029, U+202F
    if ((last >= 0x80 && last <= 0x8a) || last == 0xa8 || last == 0xa9 || last == 0xaf) return 3;
  }
  if (c == 0xe2 && byte(i + 1) == 0x81 && byte(i + 2) == 0x9f) return 3;  // U+205F
  if (c == 0xe3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) return 3;  // U+3000
  return 0;
}

// Python's str.split() with no argument: words between runs of whitespace.
std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < s.size();) {
    if (std::size_t n = whitespace_length(s, i)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      i += n;
    } else {
      word += s[i++];
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

struct Reference {
  std::string text;  // as written: "${PW}" or "$PW"
  std::string name;
};

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

Result<std::string> expand_env_vars(const std::string& scalar, const Environment& env) {
  // os.path.expandvars: each match of \$(\w+|\{[^}]*\}) is replaced when the variable is set;
  // a substituted value is never scanned again.
  std::string out;
  std::vector<Reference> unset;
  std::size_t i = 0;
  while (i < scalar.size()) {
    if (scalar[i] != '$') {
      out += scalar[i++];
      continue;
    }
    std::size_t end = std::string::npos;
    std::string name;
    if (i + 1 < scalar.size() && scalar[i + 1] == '{') {
      const std::size_t close = scalar.find('}', i + 2);
      if (close != std::string::npos) {
        name = scalar.substr(i + 2, close - i - 2);
        end = close + 1;
      }
    } else {
      std::size_t j = i + 1;
      while (j < scalar.size() && is_word_char(scalar[j])) ++j;
      if (j > i + 1) {
        name = scalar.substr(i + 1, j - i - 1);
        end = j;
      }
    }
    if (end == std::string::npos) {
      out += scalar[i++];  // a `$` that starts no reference
      continue;
    }
    const std::string text = scalar.substr(i, end - i);
    if (auto value = env ? env(name) : std::nullopt) {
      out += *value;
    } else {
      out += text;
      unset.push_back({text, name});
    }
    i = end;
  }

  // Rasa fails only for a word of the result that starts with `$` and was in the original text,
  // so a reference glued to other text (`http://h:${PORT}/x`) is kept as written.
  std::vector<std::string> failing;
  for (const auto& word : split_words(out))
    if (word[0] == '$' && scalar.find(word) != std::string::npos) failing.push_back(word);
  if (failing.empty()) return out;

  std::vector<std::string> names;
  for (const auto& ref : unset) {
    bool in_failing = false;
    for (const auto& word : failing) in_failing = in_failing || word.find(ref.text) != word.npos;
    bool listed = false;
    for (const auto& n : names) listed = listed || n == ref.name;
    if (in_failing && !listed) names.push_back(ref.name);
  }
  const std::string where = " (in \"" + scalar + "\")";
  if (names.size() == 1)
    return runtime_error("environment variable " + names[0] + " is not set" + where);
  if (!names.empty())
    return runtime_error("environment variables " + join(names, ", ") + " are not set" + where);
  // A lone `$word` that is no reference at all (`$`), which Rasa refuses just the same.
  return runtime_error("cannot expand the environment variables" + where + ": " +
                       join(failing, ", ") + (failing.size() == 1 ? " is" : " are") +
                       " left unexpanded");
}

Result<Json> read_config_yaml(std::string_view text, SourceMap& map, const Environment& env) {
  PlainScalarHook hook = [&env](const std::string& scalar) -> Result<std::optional<std::string>> {
    if (!has_env_reference(scalar)) return std::optional<std::string>();
    auto expanded = expand_env_vars(scalar, env);
    if (!expanded) return expanded.error();
    return std::optional<std::string>(std::move(*expanded));
  };
  return yaml_to_json(text, map, hook);
}

}  // namespace convo
