// A multinomial logistic regression over sparse features, trained by full-batch L-BFGS from a zero
// start: no randomness, so the same examples give the same weights. Its softmax is the confidence.
#pragma once

#include <cstddef>
#include <vector>

#include "convo/nlu/featurizer.hpp"

namespace convo::nlu {

struct LinearModel {
  std::size_t features = 0;
  std::size_t classes = 0;
  std::vector<float> weights;  // features x classes, row-major
  std::vector<float> bias;     // classes

  // Class probabilities (softmax of the scores) into `out` (resized to `classes`).
  void probabilities(const SparseVector& x, std::vector<double>& out) const;
};

struct TrainSettings {
  double c = 10;      // inverse L2 strength, as scikit-learn's C (loss summed over examples)
  int max_iter = 100;  // scikit-learn's default; keeps 10k examples under 10 s
  double tolerance = 1e-6;  // stop when the largest gradient entry is below this (per example)
  std::size_t threads = 0;  // 0: the machine's cores (at most 8); the weights are the same for any number
};

LinearModel train_logistic(const std::vector<SparseVector>& x, const std::vector<int>& y, std::size_t features,
                           std::size_t classes, const TrainSettings& settings = {});

}  // namespace convo::nlu
