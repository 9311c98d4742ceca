// Multinomial logistic regression, L2-regularised, trained with L-BFGS (two-loop recursion,
// backtracking Armijo line search). Deterministic: every sum runs in a fixed order over fixed
// chunks, whatever the number of threads the work is split over, so a model's bytes do not depend
// on the machine's cores.
#include "convo/nlu/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <thread>

namespace convo::nlu {
namespace {

void softmax(double* z, std::size_t k) {
  const double top = *std::max_element(z, z + k);
  double sum = 0;
  for (std::size_t c = 0; c < k; ++c) sum += (z[c] = std::exp(z[c] - top));
  for (std::size_t c = 0; c < k; ++c) z[c] /= sum;
}

// Splits [0, n) into fixed chunks (their bounds depend on n only) and runs `part(begin, end, chunk)`
// for each, the chunks shared over up to `threads` threads. Results kept per chunk and combined in
// chunk order are the same bytes on any machine.
class Chunks {
 public:
  Chunks(std::size_t n, std::size_t chunk, std::size_t threads)
      : n_(n), chunk_(chunk), count_((n + chunk - 1) / chunk), threads_(std::max<std::size_t>(1, std::min(threads, count_))) {}
  std::size_t count() const { return count_; }
  void run(const std::function<void(std::size_t, std::size_t, std::size_t)>& part) const {
    auto work = [&](std::size_t t) {
      for (std::size_t c = t * count_ / threads_; c < (t + 1) * count_ / threads_; ++c)
        part(c * chunk_, std::min(n_, (c + 1) * chunk_), c);
    };
    std::vector<std::thread> others;
    for (std::size_t t = 1; t < threads_; ++t) others.emplace_back(work, t);
    work(0);
    for (auto& t : others) t.join();
  }

 private:
  std::size_t n_, chunk_, count_, threads_;
};

// Dense vector arithmetic over the parameters, chunked as above.
class Vectors {
 public:
  Vectors(std::size_t n, std::size_t threads) : chunks_(n, 1 << 15, threads), partial_(chunks_.count()) {}

  double dot(const std::vector<double>& a, const std::vector<double>& b) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t c) {
      double s = 0;
      for (std::size_t i = i0; i < i1; ++i) s += a[i] * b[i];
      partial_[c] = s;
    });
    return total();
  }
  // y += a * x; returns the new dot(y, z) when z is given (one pass instead of two).
  double axpy(double a, const std::vector<double>& x, std::vector<double>& y, const std::vector<double>* z = nullptr) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t c) {
      double s = 0;
      for (std::size_t i = i0; i < i1; ++i) {
        y[i] += a * x[i];
        if (z) s += y[i] * (*z)[i];
      }
      partial_[c] = s;
    });
    return total();
  }
  // out = a + step * d
  void step(const std::vector<double>& a, double step, const std::vector<double>& d, std::vector<double>& out) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t) {
      for (std::size_t i = i0; i < i1; ++i) out[i] = a[i] + step * d[i];
    });
  }
  // out = a - b
  void diff(const std::vector<double>& a, const std::vector<double>& b, std::vector<double>& out) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t) {
      for (std::size_t i = i0; i < i1; ++i) out[i] = a[i] - b[i];
    });
  }
  void scale(std::vector<double>& a, double by) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t) {
      for (std::size_t i = i0; i < i1; ++i) a[i] *= by;
    });
  }
  double max_abs(const std::vector<double>& a) {
    chunks_.run([&](std::size_t i0, std::size_t i1, std::size_t c) {
      double m = 0;
      for (std::size_t i = i0; i < i1; ++i) m = std::max(m, std::abs(a[i]));
      partial_[c] = m;
    });
    double m = 0;
    for (double v : partial_) m = std::max(m, v);
    return m;
  }

 private:
  double total() const {
    double s = 0;
    for (double v : partial_) s += v;
    return s;
  }
  Chunks chunks_;
  std::vector<double> partial_;
};

// The training problem: mean cross-entropy plus the L2 penalty, and its gradient.
// Parameters: the weights (features x classes, row-major), then the biases.
class Problem {
 public:
  Problem(const std::vector<SparseVector>& x, const std::vector<int>& y, std::size_t features, std::size_t classes,
          double lambda, std::size_t threads)
      : x_(x), y_(y), f_(features), k_(classes), lambda_(lambda), scores_(x.size() * classes),
        examples_(x.size(), 64, threads), features_(features, 256, threads),
        loss_(examples_.count()), penalty_(features_.count()) {
    // The same examples by feature (each feature's list in example order), so the gradient can be
    // written one feature row at a time, rows split over threads.
    start_.assign(features + 1, 0);
    for (const auto& row : x)
      for (const auto& [j, v] : row) ++start_[j + 1];
    for (std::size_t j = 0; j < features; ++j) start_[j + 1] += start_[j];
    column_.resize(start_[features]);
    std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < x.size(); ++i)
      for (const auto& [j, v] : x[i]) column_[fill[j]++] = {static_cast<std::uint32_t>(i), v};
  }

  double value(const std::vector<double>& w, std::vector<double>& grad) {
    const std::size_t k = k_;
    const double* bias = w.data() + f_ * k;
    examples_.run([&](std::size_t i0, std::size_t i1, std::size_t chunk) {
      double loss = 0;
      for (std::size_t i = i0; i < i1; ++i) {
        double* z = scores_.data() + i * k;
        std::copy(bias, bias + k, z);
        for (const auto& [j, v] : x_[i]) {
          const double* row = w.data() + std::size_t(j) * k;
          for (std::size_t c = 0; c < k; ++c) z[c] += v * row[c];
        }
        softmax(z, k);
        loss -= std::log(std::max(z[y_[i]], 1e-300));
        z[y_[i]] -= 1;  // now the gradient of the example's loss by its scores
      }
      loss_[chunk] = loss;
    });
    const double n = static_cast<double>(x_.size());
    features_.run([&](std::size_t j0, std::size_t j1, std::size_t chunk) {
      std::vector<double> sum(k);
      double penalty = 0;
      for (std::size_t j = j0; j < j1; ++j) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (std::size_t e = start_[j]; e < start_[j + 1]; ++e) {
          const double* z = scores_.data() + std::size_t(column_[e].example) * k;
          const double v = column_[e].value;
          for (std::size_t c = 0; c < k; ++c) sum[c] += v * z[c];
        }
        const double* wr = w.data() + j * k;
        double* gr = grad.data() + j * k;
        for (std::size_t c = 0; c < k; ++c) {
          penalty += wr[c] * wr[c];
          gr[c] = sum[c] / n + lambda_ * wr[c];
        }
      }
      penalty_[chunk] = penalty;
    });
    double* gbias = grad.data() + f_ * k;
    std::fill(gbias, gbias + k, 0.0);
    for (std::size_t i = 0; i < x_.size(); ++i)
      for (std::size_t c = 0; c < k; ++c) gbias[c] += scores_[i * k + c];
    for (std::size_t c = 0; c < k; ++c) gbias[c] /= n;
    double loss = 0, penalty = 0;
    for (double v : loss_) loss += v;
    for (double v : penalty_) penalty += v;
    return loss / n + 0.5 * lambda_ * penalty;
  }

 private:
  struct Entry {
    std::uint32_t example;
    float value;
  };
  const std::vector<SparseVector>& x_;
  const std::vector<int>& y_;
  std::size_t f_, k_;
  double lambda_;
  std::vector<double> scores_;
  std::vector<std::size_t> start_;
  std::vector<Entry> column_;
  Chunks examples_, features_;
  std::vector<double> loss_, penalty_;
};

// One (s, y) pair of L-BFGS's memory, with 1 / (s.y) and y.y kept.
struct Pair {
  std::vector<double> s, y;
  double rho = 0, yy = 0;
};

}  // namespace

void LinearModel::probabilities(const SparseVector& x, std::vector<double>& out) const {
  out.assign(bias.begin(), bias.end());
  for (const auto& [j, v] : x) {
    const float* row = weights.data() + std::size_t(j) * classes;
    for (std::size_t c = 0; c < classes; ++c) out[c] += double(v) * row[c];
  }
  if (!out.empty()) softmax(out.data(), out.size());
}

LinearModel train_logistic(const std::vector<SparseVector>& x, const std::vector<int>& y, std::size_t features,
                           std::size_t classes, const TrainSettings& settings) {
  LinearModel model;
  model.features = features;
  model.classes = classes;
  model.weights.assign(features * classes, 0.0f);
  model.bias.assign(classes, 0.0f);
  if (classes < 2 || x.empty()) return model;
  const std::size_t threads = settings.threads ? settings.threads
                                                : std::min<std::size_t>(std::max<unsigned>(std::thread::hardware_concurrency(), 1), 8);
  Problem problem(x, y, features, classes, 1.0 / (settings.c * double(x.size())), threads);
  const std::size_t n = features * classes + classes;
  Vectors vec(n, threads);
  std::vector<double> w(n, 0.0), g(n), w_next(n), g_next(n), dir(n);
  std::deque<Pair> history;
  Pair spare;
  constexpr std::size_t kMemory = 10;
  std::vector<double> alpha;
  double fx = problem.value(w, g);
  for (int iter = 0; iter < settings.max_iter; ++iter) {
    if (vec.max_abs(g) < settings.tolerance) break;
    // Two-loop recursion: dir = -H g, each dot product fused into the pass before it.
    double slope;
    if (history.empty()) {
      const double gg = vec.dot(g, g);
      dir = g;
      vec.scale(dir, -1.0 / std::max(std::sqrt(gg), 1.0));
      slope = -gg / std::max(std::sqrt(gg), 1.0);
    } else {
      dir = g;
      const std::size_t m = history.size();
      alpha.assign(m, 0.0);
      double next = vec.dot(history[m - 1].s, dir);
      for (std::size_t h = m; h-- > 0;) {
        alpha[h] = history[h].rho * next;
        next = vec.axpy(-alpha[h], history[h].y, dir, h > 0 ? &history[h - 1].s : nullptr);
      }
      const Pair& last = history.back();
      vec.scale(dir, -1.0 / (last.rho * last.yy));  // -gamma: dir now holds -H0 q
      next = vec.dot(history[0].y, dir);
      for (std::size_t h = 0; h < m; ++h) {
        const double beta = history[h].rho * next;  // of -r
        next = vec.axpy(-(alpha[h] + beta), history[h].s, dir, h + 1 < m ? &history[h + 1].y : &g);
      }
      slope = next;
      if (slope >= 0) {  // not a descent direction: restart from the gradient
        for (auto& p : history) spare = std::move(p);
        history.clear();
        dir = g;
        vec.scale(dir, -1.0);
        slope = -vec.dot(g, g);
      }
    }
    double step = 1.0, f_next = 0;
    bool accepted = false;
    for (int tries = 0; tries < 30; ++tries, step *= 0.5) {
      vec.step(w, step, dir, w_next);
      f_next = problem.value(w_next, g_next);
      if (f_next <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    Pair pair = std::move(spare);
    pair.s.resize(n);
    pair.y.resize(n);
    vec.diff(w_next, w, pair.s);
    vec.diff(g_next, g, pair.y);
    const double sy = vec.dot(pair.s, pair.y);
    if (sy > 1e-12) {
      pair.rho = 1.0 / sy;
      pair.yy = vec.dot(pair.y, pair.y);
      history.push_back(std::move(pair));
      if (history.size() > kMemory) {
        spare = std::move(history.front());
        history.pop_front();
      }
    } else {
      spare = std::move(pair);
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
