// convo's NLU model: the intent classifier (featurizer + logistic regression), the entity
// extractor and config.yml's FallbackClassifier settings, trained from TrainingData and kept in a
// model archive as bytes (same data and config, same bytes). `parse` gives Rasa 2.8's parse data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/nlu/classifier.hpp"
#include "convo/nlu/entities.hpp"
#include "convo/nlu/featurizer.hpp"
#include "convo/nlu/training_data.hpp"

namespace convo::nlu {

// config.yml's pipeline entry `- name: FallbackClassifier` (Rasa's defaults 0.3 and 0.1).
struct FallbackSettings {
  bool enabled = false;
  double threshold = 0.3;
  double ambiguity_threshold = 0.1;
};
// Read from config.yml (as parsed by yaml_to_json); null or no such entry: disabled.
Result<FallbackSettings> fallback_settings(const Json& config);

class NluModel {
 public:
  // Needs at least one example. `warnings` gets what training skipped.
  static Result<NluModel> train(const TrainingData& data, const FallbackSettings& fallback,
                                std::vector<std::string>& warnings);
  static Result<NluModel> from_bytes(const std::string& bytes);
  std::string to_bytes() const;

  // {"text", "intent": {"name", "confidence"}, "entities", "intent_ranking" (top 10)}; an empty
  // text gives Rasa's empty result (intent name null).
  Json parse(const std::string& text) const;
  // The classifier's ranking without the fallback: (intent index, confidence), best first.
  std::vector<std::pair<std::size_t, double>> rank(const std::string& text) const;

  const std::vector<std::string>& intents() const { return intents_; }
  std::size_t examples() const { return examples_; }
  const FallbackSettings& fallback() const { return fallback_; }
  // For `model inspect`: intents, examples, features, entity sources, fallback.
  Json summary() const;

 private:
  std::vector<std::string> intents_;
  std::size_t examples_ = 0;
  FallbackSettings fallback_;
  Featurizer featurizer_;
  LinearModel linear_;
  EntityExtractor entities_;
};

}  // namespace convo::nlu
