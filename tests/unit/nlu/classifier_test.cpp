// The logistic regression trainer: it learns a separable problem, and its weights are the same
// bytes whatever the number of threads the work is split over (model bytes must not depend on the
// machine's cores).
#include <catch2/catch.hpp>

#include <cstring>

#include "convo/nlu/classifier.hpp"

using namespace convo::nlu;

namespace {

// Examples of 3 classes over 3,000 features: class c is marked by features c and 3 + (i mod 997)*3
// + c, and every example carries shared noise features; enough features that the parameter
// vector spans several of the trainer's chunks.
void make_problem(std::vector<SparseVector>& x, std::vector<int>& y) {
  for (std::uint32_t i = 0; i < 900; ++i) {
    const int c = static_cast<int>(i % 3);
    SparseVector v;
    v.emplace_back(static_cast<std::uint32_t>(c), 0.7f);
    v.emplace_back(3 + (i % 997) * 3 + static_cast<std::uint32_t>(c), 0.5f);
    v.emplace_back(2990 + i % 7, 0.3f);
    std::sort(v.begin(), v.end());
    x.push_back(v);
    y.push_back(c);
  }
}

}  // namespace

TEST_CASE("the trainer separates classes and gives the same bytes for 1, 2 and 3 threads", "[nlu]") {
  std::vector<SparseVector> x;
  std::vector<int> y;
  make_problem(x, y);
  TrainSettings one;
  one.threads = 1;
  const LinearModel base = train_logistic(x, y, 3000, 3, one);
  std::vector<double> p;
  for (int c = 0; c < 3; ++c) {
    base.probabilities({{static_cast<std::uint32_t>(c), 0.7f}}, p);
    REQUIRE(p.size() == 3);
    CHECK(std::max_element(p.begin(), p.end()) - p.begin() == c);
    CHECK(p[static_cast<std::size_t>(c)] > 0.6);
  }
  for (std::size_t threads : {2, 3}) {
    TrainSettings s;
    s.threads = threads;
    const LinearModel other = train_logistic(x, y, 3000, 3, s);
    REQUIRE(other.weights.size() == base.weights.size());
    CHECK(std::memcmp(other.weights.data(), base.weights.data(), base.weights.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(other.bias.data(), base.bias.data(), base.bias.size() * sizeof(float)) == 0);
  }
}
