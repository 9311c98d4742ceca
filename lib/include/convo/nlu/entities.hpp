// Entities as Rasa 2.8's RegexEntityExtractor finds them (regexes and lookup tables named after an
// entity annotated in the examples; case-insensitive; lookups with word boundaries), plus the
// annotated texts of the examples found again with word boundaries (convo's stand-in for a trained
// extractor), then values mapped as EntitySynonymMapper maps them.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/nlu/training_data.hpp"

namespace convo::nlu {


class EntityExtractor {
 public:
  // Warnings name regexes and lookups Rasa would ignore and patterns std::regex cannot compile.
  static EntityExtractor train(const TrainingData& data, std::vector<std::string>& warnings);
  static Result<EntityExtractor> from_json(const Json& saved);
  Json to_json() const;

  // Rasa's entity dicts (entity, start, end, value, extractor, ...) in character offsets.
  Json extract(std::string_view text) const;
  // EntitySynonymMapper on entities given some other way; true when the value was replaced.
  bool map_synonym(Json& entity) const;

 private:
  struct Pattern {
    std::string name, source;
    std::regex regex;
  };
  struct Known {  // an annotated text, lower-cased
    std::string text, entity;
    std::optional<std::string> role, group;
  };
  void compile();
  std::vector<Pattern> regexes_;
  std::vector<LookupTable> lookups_;  // elements lower-cased
  std::vector<Known> known_;          // longest first
  std::vector<std::pair<std::string, std::string>> synonyms_;  // lower-cased text -> value, sorted
};

}  // namespace convo::nlu
