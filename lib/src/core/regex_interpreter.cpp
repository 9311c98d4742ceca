#include "convo/core/regex_interpreter.hpp"
#include "convo/core/text.hpp"

#include <regex>

namespace convo {
namespace {

double parse_confidence(const std::string& group) {
  if (group.empty()) return 1.0;
  std::string number = strip_whitespace(group).substr(1);  // drop '@'
  try {
    std::size_t used = 0;
    double d = std::stod(number, &used);
    return used == number.size() ? d : 0.0;  // "1.2.3": Python's float() refuses it
  } catch (...) {
    return 0.0;
  }
}

Json parse_entities(const std::string& entity_text, std::size_t start, std::size_t end) {
  Json entities = Json::array();
  if (strip_whitespace(entity_text).empty()) return entities;
  Json parsed;
  try {
    parsed = Json::parse(entity_text);
  } catch (...) {
    return entities;  // Rasa warns and uses no entities
  }
  if (!parsed.is_object()) return entities;
  for (const auto& [key, values] : parsed.items()) {
    Json list = values.is_array() ? values : Json::array({values});
    for (const auto& value : list)
      entities.push_back({{"entity", key}, {"start", start}, {"end", end}, {"value", value}});
  }
  return entities;
}

}  // namespace

Json regex_parse(const std::string& text) {
  static const std::regex pattern(R"(^[/]?([^{@]+)(@[0-9.]+)?([{].+)?)");
  std::smatch m;
  Json intent_name = nullptr;
  double confidence = 0.0;
  Json entities = Json::array();
  if (std::regex_search(text, m, pattern)) {
    intent_name = strip_whitespace(m[1].str());
    confidence = parse_confidence(m[2].matched ? m[2].str() : "");
    if (m[3].matched) {
      auto begin = static_cast<std::size_t>(m.position(3));
      entities = parse_entities(m[3].str(), code_points(text, begin), code_points(text, begin + m[3].length()));
    }
  }
  Json intent = {{"name", intent_name}, {"confidence", confidence}};
  Json result = Json::object();
  result["text"] = !text.empty() && text[0] == '/' ? text : "/" + text;
  result["intent"] = intent;
  result["intent_ranking"] = Json::array({intent});
  result["entities"] = entities;
  return result;
}

}  // namespace convo
