// Regex, lookup and annotated-text entities, and synonyms.
#include "convo/nlu/entities.hpp"
#include "convo/core/text.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace convo::nlu {
namespace {

bool word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) || c == '_'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Python's \b at `pos` of `text`.
bool boundary(std::string_view text, std::size_t pos) {
  const bool before = pos > 0 && word_byte(static_cast<unsigned char>(text[pos - 1]));
  const bool after = pos < text.size() && word_byte(static_cast<unsigned char>(text[pos]));
  return before != after;
}

// Matches of `elements` as Python's finditer of (\bA\b|\bB\b|...) finds them: left to right, the
// first alternative that matches at a position wins, no overlaps.
template <typename Emit>
void find_words(std::string_view lowered, const std::vector<const std::string*>& elements, Emit emit) {
  for (std::size_t p = 0; p < lowered.size();) {
    std::size_t advance = 1;
    if (boundary(lowered, p)) {
      for (std::size_t e = 0; e < elements.size(); ++e) {
        const std::string& el = *elements[e];
        if (el.empty() || lowered.compare(p, el.size(), el) != 0 || !boundary(lowered, p + el.size())) continue;
        if (emit(p, p + el.size(), e)) {
          advance = el.size();
          break;
        }
      }
    }
    p += advance;
  }
}

Json entity_json(const std::string& name, std::string_view text, std::size_t start, std::size_t end) {
  return {{"entity", name}, {"start", code_points(text, start)}, {"end", code_points(text, end)}};
}

}  // namespace

void EntityExtractor::compile() {
  for (auto it = regexes_.begin(); it != regexes_.end();) {
    try {
      it->regex = std::regex(it->source, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
      ++it;
    } catch (const std::regex_error&) {
      it = regexes_.erase(it);
    }
  }
}

EntityExtractor EntityExtractor::train(const TrainingData& data, std::vector<std::string>& warnings) {
  EntityExtractor x;
  const auto types = data.entity_types();
  const std::set<std::string> annotated(types.begin(), types.end());
  std::set<std::string> ignored;
  for (const auto& [name, pattern] : data.regexes) {
    if (!annotated.count(name)) {
      ignored.insert(name);
      continue;
    }
    try {
      std::regex check(pattern, std::regex::ECMAScript | std::regex::icase);
      x.regexes_.push_back({name, pattern, {}});
    } catch (const std::regex_error& e) {
      warnings.push_back("regex '" + name + "': the pattern '" + pattern + "' cannot be used (" + e.what() + ")");
    }
  }
  for (const auto& table : data.lookups) {
    if (!annotated.count(table.name)) {
      ignored.insert(table.name);
      continue;
    }
    LookupTable lowered{table.name, {}};
    for (const auto& e : table.elements) lowered.elements.push_back(lower(e));
    x.lookups_.push_back(std::move(lowered));
  }
  for (const auto& name : ignored)
    warnings.push_back("regex or lookup '" + name + "' names no entity annotated in the examples; as in Rasa, "
                       "RegexEntityExtractor does not use it");
  // Each annotated text's most frequent (entity, role, group), the first seen on a tie.
  std::map<std::string, std::vector<std::pair<Known, int>>> seen;
  for (const auto& ex : data.examples)
    for (const auto& e : ex.entities) {
      Known k{lower(ex.text.substr(e.start, e.end - e.start)), e.entity, e.role, e.group};
      auto& options = seen[k.text];
      auto same = std::find_if(options.begin(), options.end(), [&](const auto& o) {
        return o.first.entity == k.entity && o.first.role == k.role && o.first.group == k.group;
      });
      if (same == options.end()) options.emplace_back(std::move(k), 1);
      else ++same->second;
    }
  for (auto& [text, options] : seen) {
    auto best = options.begin();
    for (auto it = options.begin(); it != options.end(); ++it)
      if (it->second > best->second) best = it;
    x.known_.push_back(best->first);
  }
  std::stable_sort(x.known_.begin(), x.known_.end(), [](const Known& a, const Known& b) { return a.text.size() > b.text.size(); });
  std::map<std::string, std::string> synonyms;
  for (const auto& [text, value] : data.synonyms) synonyms[lower(text)] = value;
  x.synonyms_.assign(synonyms.begin(), synonyms.end());
  x.compile();
  return x;
}

Json EntityExtractor::to_json() const {
  Json regexes = Json::array(), lookups = Json::array(), known = Json::array(), synonyms = Json::array();
  for (const auto& r : regexes_) regexes.push_back({r.name, r.source});
  for (const auto& t : lookups_) lookups.push_back({{"name", t.name}, {"elements", t.elements}});
  for (const auto& k : known_)
    known.push_back({k.text, k.entity, k.role ? Json(*k.role) : Json(), k.group ? Json(*k.group) : Json()});
  for (const auto& [t, v] : synonyms_) synonyms.push_back({t, v});
  return {{"regexes", regexes}, {"lookups", lookups}, {"annotated", known}, {"synonyms", synonyms}};
}

Result<EntityExtractor> EntityExtractor::from_json(const Json& saved) {
  EntityExtractor x;
  try {
    for (const auto& r : saved.at("regexes")) x.regexes_.push_back({r.at(0).get<std::string>(), r.at(1).get<std::string>(), {}});
    for (const auto& t : saved.at("lookups"))
      x.lookups_.push_back({t.at("name").get<std::string>(), t.at("elements").get<std::vector<std::string>>()});
    for (const auto& k : saved.at("annotated")) {
      Known known{k.at(0).get<std::string>(), k.at(1).get<std::string>(), std::nullopt, std::nullopt};
      if (k.at(2).is_string()) known.role = k.at(2).get<std::string>();
      if (k.at(3).is_string()) known.group = k.at(3).get<std::string>();
      x.known_.push_back(std::move(known));
    }
    for (const auto& s : saved.at("synonyms")) x.synonyms_.emplace_back(s.at(0).get<std::string>(), s.at(1).get<std::string>());
  } catch (const std::exception& e) {
    return runtime_error(std::string("the NLU model's entities cannot be read: ") + e.what());
  }
  x.compile();
  return x;
}

bool EntityExtractor::map_synonym(Json& entity) const {
  if (!entity.contains("value")) return false;
  const std::string key = lower(py_str(entity["value"]));
  auto it = std::lower_bound(synonyms_.begin(), synonyms_.end(), key, [](const auto& s, const std::string& k) { return s.first < k; });
  if (it == synonyms_.end() || it->first != key) return false;
  entity["value"] = it->second;
  if (!entity.contains("processors") || !entity["processors"].is_array()) entity["processors"] = Json::array();
  entity["processors"].push_back("EntitySynonymMapper");
  return true;
}

Json EntityExtractor::extract(std::string_view text) const {
  Json out = Json::array();
  std::vector<std::pair<std::size_t, std::size_t>> taken;
  for (const auto& p : regexes_) {
    const std::string s(text);
    for (auto it = std::sregex_iterator(s.begin(), s.end(), p.regex); it != std::sregex_iterator(); ++it) {
      const std::size_t start = static_cast<std::size_t>(it->position()), end = start + static_cast<std::size_t>(it->length());
      if (start == end) continue;
      Json e = entity_json(p.name, text, start, end);
      e["value"] = std::string(text.substr(start, end - start));
      e["extractor"] = "RegexEntityExtractor";
      out.push_back(std::move(e));
      taken.emplace_back(start, end);
    }
  }
  const std::string lowered = lower(text);
  for (const auto& table : lookups_) {
    std::vector<const std::string*> elements;
    for (const auto& e : table.elements) elements.push_back(&e);
    find_words(lowered, elements, [&](std::size_t start, std::size_t end, std::size_t) {
      Json e = entity_json(table.name, text, start, end);
      e["value"] = std::string(text.substr(start, end - start));
      e["extractor"] = "RegexEntityExtractor";
      out.push_back(std::move(e));
      taken.emplace_back(start, end);
      return true;
    });
  }
  std::vector<const std::string*> known;
  for (const auto& k : known_) known.push_back(&k.text);
  Json found = Json::array();
  find_words(lowered, known, [&](std::size_t start, std::size_t end, std::size_t index) {
    for (const auto& [s, e] : taken)
      if (start < e && s < end) return false;
    const Known& k = known_[index];
    Json e = entity_json(k.entity, text, start, end);
    e["confidence_entity"] = 1.0;
    if (k.role) e["role"] = *k.role;
    if (k.group) e["group"] = *k.group;
    e["value"] = std::string(text.substr(start, end - start));
    e["extractor"] = "ConvoEntityExtractor";
    found.push_back(std::move(e));
    return true;
  });
  for (auto& e : found) out.push_back(std::move(e));
  for (auto& e : out) map_synonym(e);
  return out;
}

}  // namespace convo::nlu
