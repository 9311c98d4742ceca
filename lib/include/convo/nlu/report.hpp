// Rasa's intent evaluation (rasa test nlu): per intent precision, recall, f1-score, support and
// confused_with, then accuracy, macro avg and weighted avg, as in intent_report.json. Predictions
// are the classifier's own (Rasa's test undoes the FallbackClassifier's nlu_fallback).
#pragma once

#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/nlu/nlu_model.hpp"
#include "convo/nlu/training_data.hpp"

namespace convo::nlu {

struct Prediction {
  std::string text;
  std::string expected;
  std::string predicted;
  double confidence = 0;
};

// The model's prediction for every example of `test`.
std::vector<Prediction> evaluate(const NluModel& model, const TrainingData& test);

// K stratified folds, assigned in data order (no shuffling): each example is predicted by a model
// trained on the other folds. K must be at least 2 and at most the number of examples.
Result<std::vector<Prediction>> cross_validate(const TrainingData& data, int folds, std::vector<std::string>& warnings);

// The report; labels are the expected and predicted intents, sorted (scikit-learn's order).
Json intent_report(const std::vector<Prediction>& predictions);

// The examples predicted wrongly, as Rasa's intent_errors.json: text, intent, intent_prediction.
Json intent_errors(const std::vector<Prediction>& predictions);

}  // namespace convo::nlu
