// Intent reports and cross-validation.
#include "convo/nlu/report.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace convo::nlu {

std::vector<Prediction> evaluate(const NluModel& model, const TrainingData& test) {
  std::vector<Prediction> out;
  out.reserve(test.examples.size());
  for (const auto& ex : test.examples) {
    const auto ranked = model.rank(ex.text);
    Prediction p{ex.text, ex.intent, "", 0};
    if (!ranked.empty()) {
      p.predicted = model.intents()[ranked[0].first];
      p.confidence = ranked[0].second;
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Prediction>> cross_validate(const TrainingData& data, int folds, std::vector<std::string>& warnings) {
  if (folds < 2) return usage_error("cross-validation needs at least 2 folds");
  if (static_cast<std::size_t>(folds) > data.examples.size())
    return usage_error("cross-validation with " + std::to_string(folds) + " folds needs at least as many examples; there are " +
                       std::to_string(data.examples.size()));
  // Stratified: each intent's examples dealt round the folds, continuing where the last intent stopped.
  std::map<std::string, std::vector<std::size_t>> by_intent;
  for (std::size_t i = 0; i < data.examples.size(); ++i) by_intent[data.examples[i].intent].push_back(i);
  std::vector<int> fold_of(data.examples.size());
  int next = 0;
  for (const auto& [intent, members] : by_intent)
    for (auto i : members) fold_of[i] = next++ % folds;
  std::vector<Prediction> all;
  for (int f = 0; f < folds; ++f) {
    TrainingData train, test;
    train.synonyms = data.synonyms;
    train.regexes = data.regexes;
    train.lookups = data.lookups;
    for (std::size_t i = 0; i < data.examples.size(); ++i)
      (fold_of[i] == f ? test : train).examples.push_back(data.examples[i]);
    if (train.examples.empty() || test.examples.empty()) continue;
    std::vector<std::string> fold_warnings;
    auto model = NluModel::train(train, FallbackSettings{}, fold_warnings);
    if (!model) return model.error();
    if (f == 0) warnings.insert(warnings.end(), fold_warnings.begin(), fold_warnings.end());
    for (auto& p : evaluate(*model, test)) all.push_back(std::move(p));
  }
  return all;
}

Json intent_report(const std::vector<Prediction>& predictions) {
  std::set<std::string> label_set;
  for (const auto& p : predictions) {
    label_set.insert(p.expected);
    label_set.insert(p.predicted);
  }
  const std::vector<std::string> labels(label_set.begin(), label_set.end());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < labels.size(); ++i) index[labels[i]] = i;
  const std::size_t n = labels.size();
  std::vector<std::vector<std::size_t>> confusion(n, std::vector<std::size_t>(n, 0));
  std::size_t correct = 0;
  for (const auto& p : predictions) {
    ++confusion[index[p.expected]][index[p.predicted]];
    if (p.expected == p.predicted) ++correct;
  }
  Json report = Json::object();
  double macro[3] = {0, 0, 0}, weighted[3] = {0, 0, 0};
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t support = 0, predicted = 0;
    for (std::size_t j = 0; j < n; ++j) {
      support += confusion[i][j];
      predicted += confusion[j][i];
    }
    const double tp = double(confusion[i][i]);
    const double precision = predicted ? tp / double(predicted) : 0.0;
    const double recall = support ? tp / double(support) : 0.0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    // confused_with: the (up to) three intents this one was most often mistaken for, as Rasa lists them.
    std::vector<std::size_t> order(n);
    for (std::size_t j = 0; j < n; ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return confusion[i][a] > confusion[i][b]; });
    Json confused = Json::object();
    for (std::size_t c = 0; c < order.size() && c < 3; ++c)
      if (order[c] != i && confusion[i][order[c]] > 0) confused[labels[order[c]]] = confusion[i][order[c]];
    report[labels[i]] = {{"precision", precision}, {"recall", recall}, {"f1-score", f1}, {"support", support},
                         {"confused_with", confused}};
    const double values[3] = {precision, recall, f1};
    for (int k = 0; k < 3; ++k) {
      macro[k] += values[k];
      weighted[k] += values[k] * double(support);
    }
    total += support;
  }
  auto avg = [&](const double* sums, double by) {
    return Json{{"precision", by > 0 ? sums[0] / by : 0.0}, {"recall", by > 0 ? sums[1] / by : 0.0},
                {"f1-score", by > 0 ? sums[2] / by : 0.0}, {"support", total}};
  };
  report["accuracy"] = predictions.empty() ? 0.0 : double(correct) / double(predictions.size());
  report["macro avg"] = avg(macro, double(n));
  report["weighted avg"] = avg(weighted, double(total));
  return report;
}

Json intent_errors(const std::vector<Prediction>& predictions) {
  Json out = Json::array();
  for (const auto& p : predictions)
    if (p.expected != p.predicted)
      out.push_back({{"text", p.text}, {"intent", p.expected},
                     {"intent_prediction", {{"name", p.predicted}, {"confidence", p.confidence}}}});
  return out;
}

}  // namespace convo::nlu
