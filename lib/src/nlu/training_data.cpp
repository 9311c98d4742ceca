// Reading NLU training data the way Rasa 2.8's RasaYAMLReader and MarkdownReader do.
#include "convo/nlu/training_data.hpp"

#include <algorithm>
#include <set>

#include "convo/core/json.hpp"
#include "convo/core/text.hpp"
#include "convo/core/yaml_json.hpp"

namespace convo::nlu {
namespace {

std::string base_intent(const std::string& intent) { return intent.substr(0, intent.find('/')); }

// The line SourceMap knows for a pointer ("<source>:<line>: "), 0 when it has none.
int line_of(const SourceMap& map, const std::string& pointer) {
  std::string prefix = map.prefix(pointer);
  if (prefix.size() < 3) return 0;
  prefix.resize(prefix.size() - 2);
  auto colon = prefix.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(prefix.substr(colon + 1));
  } catch (...) {
    return 0;
  }
}

std::string at(const std::string& source, int line) {
  return line > 0 ? source + ":" + std::to_string(line) : source;
}

// `{...}` of `[text]{...}`: Rasa's entity_dict_schema (entity required; role, group, value strings).
Result<EntitySpan> entity_from_dict(std::string_view body, const std::string& text) {
  std::string json = "{" + std::string(body) + "}";
  auto parsed = parse_json_text(json);
  const Json* dict = std::get_if<Json>(&parsed);
  if (!dict || !dict->is_object())
    return runtime_error("Incorrect training data format ('" + json + "'): not a JSON object");
  EntitySpan span;
  if (!dict->contains("entity") || !(*dict)["entity"].is_string())
    return runtime_error("the entity dictionary '" + json + "' needs \"entity\" as a string");
  span.entity = (*dict)["entity"].get<std::string>();
  span.value = text;
  for (const char* key : {"value", "role", "group"}) {
    if (!dict->contains(key)) continue;
    const Json& v = (*dict)[key];
    if (!v.is_string()) return runtime_error("the entity dictionary '" + json + "': \"" + key + "\" must be a string");
    if (std::string(key) == "value") span.value = v.get<std::string>();
    else (std::string(key) == "role" ? span.role : span.group) = v.get<std::string>();
  }
  return span;
}

void add_synonym(TrainingData& data, const std::string& text, const std::string& value) {
  for (auto& [t, v] : data.synonyms)
    if (t == text) {
      if (v != value)
        data.warnings.push_back("'" + text + "' is a synonym of both '" + v + "' and '" + value + "'; '" + value + "' is used");
      v = value;
      return;
    }
  data.synonyms.emplace_back(text, value);
}

Result<bool> add_example(TrainingData& data, const std::string& annotated, const std::string& intent, const std::string& where) {
  auto parsed = parse_annotated(annotated);
  if (!parsed) return Error{parsed.error().kind, where + ": " + parsed.error().message};
  Example ex;
  ex.text = std::move(parsed->first);
  ex.entities = std::move(parsed->second);
  ex.full_intent = intent;
  ex.intent = base_intent(intent);
  ex.where = where;
  for (const auto& e : ex.entities) {
    std::string surface = ex.text.substr(e.start, e.end - e.start);
    if (surface != e.value) add_synonym(data, surface, e.value);
  }
  data.examples.push_back(std::move(ex));
  return true;
}

void add_lookup_item(TrainingData& data, const std::string& name, const std::string& item) {
  for (auto& table : data.lookups)
    if (table.name == name) {
      table.elements.push_back(item);
      return;
    }
  data.lookups.push_back({name, {item}});
}

// One item of a section (intent, synonym, regex, lookup) with its source position.
Result<bool> add_item(TrainingData& data, const std::string& section, const std::string& title,
                      const std::string& item, const std::string& where) {
  if (section == "intent") return add_example(data, item, title, where);
  if (section == "synonym") add_synonym(data, item, title);
  else if (section == "regex") data.regexes.emplace_back(title, item);
  else if (section == "lookup") add_lookup_item(data, title, item);
  return true;
}

std::string strip(std::string_view s, const char* chars = " \t\r\n") {
  auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(chars);
  return std::string(s.substr(b, e - b + 1));
}

// An `nlu:` item of a YAML file.
Result<bool> read_yaml_item(TrainingData& data, const Json& item, const SourceMap& map, const std::string& ptr,
                            const std::string& source) {
  if (!item.is_object()) {
    data.warnings.push_back(map.prefix(ptr) + "items under 'nlu' must be mappings; this block is skipped");
    return true;
  }
  std::string section;
  for (const char* key : {"intent", "synonym", "regex", "lookup"})
    if (item.contains(key)) {
      section = key;
      break;
    }
  if (section.empty()) {
    data.warnings.push_back(map.prefix(ptr) + "no intent:, synonym:, regex: or lookup: key; this section is skipped");
    return true;
  }
  const Json& name = item[section];
  if (!name.is_string() || name.get<std::string>().empty()) {
    if (!name.is_string() && !name.is_null())
      return runtime_error(map.prefix(json_pointer_child(ptr, section)) + section + " name must be a string");
    data.warnings.push_back(map.prefix(ptr) + "the " + section + " has an empty name; it is skipped");
    return true;
  }
  const std::string title = name.get<std::string>();
  const std::string examples_ptr = json_pointer_child(ptr, "examples");
  const Json examples = item.value("examples", Json(""));
  if (examples.is_array() && section == "intent") {  // - text: ... (metadata: ...)
    for (std::size_t i = 0; i < examples.size(); ++i) {
      const Json& ex = examples[i];
      if (!ex.is_object() || ex.empty()) continue;
      const Json text = ex.value("text", Json(""));
      if (!text.is_string())
        return runtime_error(map.prefix(json_pointer_child(examples_ptr, i)) + "an example's text must be a string");
      const std::string where = at(source, line_of(map, json_pointer_child(examples_ptr, i)));
      if (auto added = add_item(data, section, title, strip(text.get<std::string>(), "\n\r "), where); !added)
        return added.error();
    }
    return true;
  }
  if (!examples.is_string()) {
    data.warnings.push_back(map.prefix(examples_ptr) + "unexpected examples block in '" + title + "'; it is skipped");
    return true;
  }
  const std::string block = examples.get<std::string>();
  if (block.empty() && section != "intent") {
    data.warnings.push_back(map.prefix(ptr) + section + ": " + title + " has no examples; it is skipped");
    return true;
  }
  const int first_line = line_of(map, examples_ptr);
  std::size_t start = 0;
  int index = 0;
  while (start < block.size()) {
    std::size_t end = block.find('\n', start);
    if (end == std::string::npos) end = block.size();
    std::string line = block.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++index;
    start = end + 1;
    const std::string where = at(source, first_line > 0 ? first_line + index : 0);
    if (line.empty() || line[0] != '-') {
      if (!strip(line).empty())
        data.warnings.push_back(where + ": an example of '" + title + "' does not start with '-'; it is skipped");
      continue;
    }
    if (auto added = add_item(data, section, title, strip(std::string_view(line).substr(1), "\n\r "), where); !added)
      return added.error();
  }
  return true;
}

// Markdown comments (<!-- ... -->) removed, newlines inside them kept so lines keep their numbers.
std::string strip_comments(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("<!--", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = std::string_view::npos;
    for (auto dash = text.find("--", open + 4); dash != std::string_view::npos; dash = text.find("--", dash + 1)) {
      std::size_t k = dash + 2;
      while (k < text.size() && text[k] == '!') ++k;
      if (k < text.size() && text[k] == '>') {
        close = k + 1;
        break;
      }
    }
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    out.append(static_cast<std::size_t>(std::count(text.begin() + open, text.begin() + close, '\n')), '\n');
    pos = close;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

Result<std::pair<std::string, std::vector<EntitySpan>>> parse_annotated(std::string_view ex) {
  std::string plain;
  std::vector<EntitySpan> entities;
  std::size_t i = 0;
  while (i < ex.size()) {
    if (ex[i] != '[') {
      plain += ex[i++];
      continue;
    }
    // \[([^\]]+?)\]  then  \(entity(:value)?\)  or  \{dict\}
    const std::size_t close = ex.find(']', i + 1);
    bool matched = false;
    if (close != std::string_view::npos && close > i + 1 && close + 1 < ex.size()) {
      const std::string text(ex.substr(i + 1, close - i - 1));
      const char opener = ex[close + 1];
      const char closer = opener == '(' ? ')' : '}';
      const std::size_t end = (opener == '(' || opener == '{') ? ex.find(closer, close + 2) : std::string_view::npos;
      if (end != std::string_view::npos && end > close + 2) {
        const std::string_view body = ex.substr(close + 2, end - close - 2);
        EntitySpan span;
        if (opener == '{') {
          auto parsed = entity_from_dict(body, text);
          if (!parsed) return parsed.error();
          span = std::move(*parsed);
          matched = true;
        } else {
          const auto colon = body.find(':');
          span.entity = std::string(body.substr(0, colon));
          span.value = colon == std::string_view::npos ? text : std::string(body.substr(colon + 1));
          matched = !span.entity.empty() && !span.value.empty();
        }
        if (matched) {
          span.start = plain.size();
          plain += text;
          span.end = plain.size();
          entities.push_back(std::move(span));
          i = end + 1;
        }
      }
    }
    if (!matched) plain += ex[i++];
  }
  return std::make_pair(std::move(plain), std::move(entities));
}

void TrainingData::merge(TrainingData&& other) {
  for (auto& e : other.examples) examples.push_back(std::move(e));
  for (auto& [t, v] : other.synonyms) add_synonym(*this, t, v);
  for (auto& r : other.regexes) regexes.push_back(std::move(r));
  for (auto& table : other.lookups)
    for (auto& e : table.elements) add_lookup_item(*this, table.name, e);
  for (auto& f : other.lookup_files) lookup_files.push_back(std::move(f));
  for (auto& w : other.warnings) warnings.push_back(std::move(w));
}

std::vector<std::string> TrainingData::entity_types() const {
  std::set<std::string> types;
  for (const auto& ex : examples)
    for (const auto& e : ex.entities) types.insert(e.entity);
  return {types.begin(), types.end()};
}

Result<TrainingData> read_nlu_yaml(std::string_view text, const std::string& source) {
  SourceMap map(source);
  auto doc = yaml_to_json(text, map);
  if (!doc) return doc.error();
  TrainingData data;
  if (!doc->is_object() || !doc->contains("nlu")) return data;
  const Json& items = (*doc)["nlu"];
  if (items.is_null()) return data;
  if (!items.is_array()) return runtime_error(map.prefix("/nlu") + "nlu: must be a list of items (- intent: ...)");
  for (std::size_t i = 0; i < items.size(); ++i)
    if (auto read = read_yaml_item(data, items[i], map, json_pointer_child("/nlu", i), source); !read) return read.error();
  return data;
}

Result<TrainingData> read_nlu_markdown(std::string_view text, const std::string& source) {
  if (auto bad = invalid_utf8_at(text))
    return runtime_error(at(source, static_cast<int>(line_column(text, *bad).first)) + ": not UTF-8");
  const std::string body = strip_comments(text);
  TrainingData data;
  std::string section, title;
  std::size_t start = 0;
  int line_no = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string line = strip(std::string_view(body).substr(start, end - start));
    start = end + 1;
    ++line_no;
    const std::string where = at(source, line_no);
    const auto hashes = line.find("##");
    const auto colon = hashes == std::string::npos ? std::string::npos : line.find(':', hashes + 2);
    if (colon != std::string::npos && colon + 1 < line.size() && !strip(line.substr(hashes + 2, colon - hashes - 2)).empty()) {
      section = strip(line.substr(hashes + 2, colon - hashes - 2));
      title = line.substr(colon + 1);
      if (section != "intent" && section != "synonym" && section != "regex" && section != "lookup")
        return runtime_error(where + ": Markdown section '" + section +
                             "' is not one of 'intent', 'synonym', 'regex', 'lookup'");
      continue;
    }
    if (line.empty() || section.empty()) continue;
    if (line[0] == '-' || line[0] == '*' || line[0] == '+') {
      if (auto added = add_item(data, section, title, strip(std::string_view(line).substr(1)), where); !added)
        return added.error();
    } else if (section == "lookup") {
      data.lookup_files.push_back({title, line, where});
    }
    if (end == body.size()) break;
  }
  return data;
}

bool is_markdown_name(std::string_view name) { return ends_with(name, ".md"); }

bool is_data_file_name(std::string_view name) {
  return ends_with(name, ".yml") || ends_with(name, ".yaml") || ends_with(name, ".md");
}

bool is_markdown_nlu(std::string_view text) {
  for (const char* marker : {"## intent:", "## synonym:", "## regex:", "## lookup:"})
    if (text.find(marker) != std::string_view::npos) return true;
  return false;
}

Result<TrainingData> read_nlu_file(std::string_view text, const std::string& source) {
  if (!is_markdown_name(source)) return read_nlu_yaml(text, source);
  if (is_markdown_nlu(text)) return read_nlu_markdown(text, source);
  TrainingData none;
  none.warnings.push_back(source + ": no Markdown NLU sections (## intent:, ## synonym:, ## regex:, ## lookup:); "
                          "skipped (Markdown stories of Rasa 1.x are not read: 'rasa data convert core' writes them as YAML)");
  return none;
}

void add_lookup_elements(TrainingData& data, const std::string& table, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string element = strip(text.substr(start, end - start));
    if (!element.empty()) add_lookup_item(data, table, element);
    start = end + 1;
  }
}

}  // namespace convo::nlu
