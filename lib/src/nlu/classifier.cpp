// Multinomial logistic regression, L2-regularised, trained with L-BFGS (two-loop recursion,
// backtracking Armijo line search). Deterministic: every sum runs in a fixed order, whatever the
// number of threads the gradient is split over.
#include "convo/nlu/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <thread>

namespace convo::nlu {
namespace {

void softmax(std::vector<double>& z) {
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (auto& v : z) sum += (v = std::exp(v - top));
  for (auto& v : z) v /= sum;
}

// Runs part(0) .. part(parts - 1) on up to `parts` threads and waits for them.
void run_parts(std::size_t parts, const std::function<void(std::size_t)>& part) {
  std::vector<std::thread> threads;
  for (std::size_t p = 1; p < parts; ++p) threads.emplace_back(part, p);
  part(0);
  for (auto& t : threads) t.join();
}

struct Problem {
  const std::vector<SparseVector>& x;
  const std::vector<int>& y;
  std::size_t f, k;
  double lambda;  // L2 on the weights (not the biases), per the mean loss
  std::size_t threads;

  // Mean cross-entropy plus the penalty; its gradient into `grad`. Parameters: weights then biases.
  // Two passes, each split over threads so that every sum keeps the sequential order (the bytes
  // of a model do not depend on the machine's cores): the class scores per example (examples
  // split), then the gradient (classes split: each thread adds to its own columns, examples in order).
  double value(const std::vector<double>& w, std::vector<double>& grad) const {
    std::fill(grad.begin(), grad.end(), 0.0);
    const double* bias = w.data() + f * k;
    double* gbias = grad.data() + f * k;
    const std::size_t n_examples = x.size();
    std::vector<double> scores(n_examples * k);
    const std::size_t parts = std::max<std::size_t>(1, std::min(threads, n_examples));
    run_parts(parts, [&](std::size_t part) {
      std::vector<double> z(k);
      for (std::size_t i = part * n_examples / parts; i < (part + 1) * n_examples / parts; ++i) {
        for (std::size_t c = 0; c < k; ++c) z[c] = bias[c];
        for (const auto& [j, v] : x[i]) {
          const double* row = w.data() + std::size_t(j) * k;
          for (std::size_t c = 0; c < k; ++c) z[c] += v * row[c];
        }
        softmax(z);
        std::copy(z.begin(), z.end(), scores.begin() + std::ptrdiff_t(i * k));
      }
    });
    double loss = 0;
    for (std::size_t i = 0; i < n_examples; ++i) {
      double* z = scores.data() + i * k;
      loss -= std::log(std::max(z[y[i]], 1e-300));
      z[y[i]] -= 1;
    }
    const std::size_t class_parts = std::max<std::size_t>(1, std::min(threads, k));
    run_parts(class_parts, [&](std::size_t part) {
      const std::size_t c0 = part * k / class_parts, c1 = (part + 1) * k / class_parts;
      for (std::size_t i = 0; i < n_examples; ++i) {
        const double* z = scores.data() + i * k;
        for (const auto& [j, v] : x[i]) {
          double* row = grad.data() + std::size_t(j) * k;
          for (std::size_t c = c0; c < c1; ++c) row[c] += v * z[c];
        }
        for (std::size_t c = c0; c < c1; ++c) gbias[c] += z[c];
      }
    });
    const double n = static_cast<double>(n_examples);
    double penalty = 0;
    for (std::size_t p = 0; p < f * k; ++p) {
      penalty += w[p] * w[p];
      grad[p] = grad[p] / n + lambda * w[p];
    }
    for (std::size_t c = 0; c < k; ++c) gbias[c] /= n;
    return loss / n + 0.5 * lambda * penalty;
  }
};

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

void LinearModel::probabilities(const SparseVector& x, std::vector<double>& out) const {
  out.assign(bias.begin(), bias.end());
  for (const auto& [j, v] : x) {
    const float* row = weights.data() + std::size_t(j) * classes;
    for (std::size_t c = 0; c < classes; ++c) out[c] += double(v) * row[c];
  }
  if (!out.empty()) softmax(out);
}

LinearModel train_logistic(const std::vector<SparseVector>& x, const std::vector<int>& y, std::size_t features,
                           std::size_t classes, const TrainSettings& settings) {
  LinearModel model;
  model.features = features;
  model.classes = classes;
  model.weights.assign(features * classes, 0.0f);
  model.bias.assign(classes, 0.0f);
  if (classes < 2 || x.empty()) return model;
  const std::size_t cores = std::thread::hardware_concurrency();
  Problem problem{x, y, features, classes, 1.0 / (settings.c * double(x.size())), std::min<std::size_t>(std::max<std::size_t>(cores, 1), 8)};
  const std::size_t n = features * classes + classes;
  std::vector<double> w(n, 0.0), g(n), w_next(n), g_next(n), dir(n);
  std::deque<std::pair<std::vector<double>, std::vector<double>>> history;  // (s, y) pairs
  constexpr std::size_t kMemory = 10;
  double fx = problem.value(w, g);
  for (int iter = 0; iter < settings.max_iter; ++iter) {
    double gmax = 0;
    for (double v : g) gmax = std::max(gmax, std::abs(v));
    if (gmax < settings.tolerance) break;
    // Two-loop recursion: dir = -H g.
    dir = g;
    std::vector<double> alpha(history.size());
    for (std::size_t h = history.size(); h-- > 0;) {
      const auto& [s, yv] = history[h];
      alpha[h] = dot(s, dir) / dot(yv, s);
      for (std::size_t i = 0; i < n; ++i) dir[i] -= alpha[h] * yv[i];
    }
    if (!history.empty()) {
      const auto& [s, yv] = history.back();
      const double gamma = dot(s, yv) / dot(yv, yv);
      for (auto& v : dir) v *= gamma;
    } else {
      const double gnorm = std::sqrt(dot(g, g));
      for (auto& v : dir) v /= std::max(gnorm, 1.0);
    }
    for (std::size_t h = 0; h < history.size(); ++h) {
      const auto& [s, yv] = history[h];
      const double beta = dot(yv, dir) / dot(yv, s);
      for (std::size_t i = 0; i < n; ++i) dir[i] += s[i] * (alpha[h] - beta);
    }
    for (auto& v : dir) v = -v;
    double slope = dot(g, dir);
    if (slope >= 0) {  // not a descent direction: restart from the gradient
      history.clear();
      for (std::size_t i = 0; i < n; ++i) dir[i] = -g[i];
      slope = dot(g, dir);
    }
    double step = 1.0, f_next = 0;
    bool accepted = false;
    for (int tries = 0; tries < 30; ++tries, step *= 0.5) {
      for (std::size_t i = 0; i < n; ++i) w_next[i] = w[i] + step * dir[i];
      f_next = problem.value(w_next, g_next);
      if (f_next <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    std::vector<double> s(n), yv(n);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = w_next[i] - w[i];
      yv[i] = g_next[i] - g[i];
    }
    if (dot(s, yv) > 1e-12) {
      history.emplace_back(std::move(s), std::move(yv));
      if (history.size() > kMemory) history.pop_front();
    }
    const bool flat = fx - f_next < 1e-10 * std::max(1.0, std::abs(fx));
    w.swap(w_next);
    g.swap(g_next);
    fx = f_next;
    if (flat) break;
  }
  for (std::size_t p = 0; p < features * classes; ++p) model.weights[p] = static_cast<float>(w[p]);
  for (std::size_t c = 0; c < classes; ++c) model.bias[c] = static_cast<float>(w[features * classes + c]);
  return model;
}

}  // namespace convo::nlu
