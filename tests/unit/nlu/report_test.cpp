// Rasa's intent report and cross-validation.
#include <catch2/catch.hpp>

#include "convo/nlu/report.hpp"

using namespace convo;
using namespace convo::nlu;

TEST_CASE("intent report: per intent, accuracy, macro and weighted averages, confused_with", "[nlu]") {
  // a: 2 examples, one predicted b.  b: 2 examples, both right.  c: 1 example predicted b.
  std::vector<Prediction> p = {{"1", "a", "a", 0.9}, {"2", "a", "b", 0.6}, {"3", "b", "b", 0.8},
                               {"4", "b", "b", 0.7}, {"5", "c", "b", 0.5}};
  Json r = intent_report(p);
  CHECK(r["a"]["precision"] == 1.0);
  CHECK(r["a"]["recall"] == 0.5);
  CHECK(r["a"]["f1-score"].get<double>() == Approx(2.0 / 3));
  CHECK(r["a"]["support"] == 2);
  CHECK(r["a"]["confused_with"] == Json{{"b", 1}});
  CHECK(r["b"]["precision"].get<double>() == Approx(0.5));
  CHECK(r["b"]["recall"] == 1.0);
  CHECK(r["b"]["confused_with"] == Json::object());
  CHECK(r["c"]["precision"] == 0.0);
  CHECK(r["c"]["f1-score"] == 0.0);
  CHECK(r["accuracy"].get<double>() == Approx(0.6));
  CHECK(r["macro avg"]["recall"].get<double>() == Approx((0.5 + 1 + 0) / 3));
  CHECK(r["weighted avg"]["recall"].get<double>() == Approx((0.5 * 2 + 1 * 2 + 0) / 5));
  CHECK(r["weighted avg"]["support"] == 5);
  Json errors = intent_errors(p);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0]["intent_prediction"]["name"] == "b");
}

TEST_CASE("cross-validation: every example predicted once, deterministic", "[nlu]") {
  auto data = read_nlu_yaml(R"(nlu:
- intent: greet
  examples: |
    - hello
    - hi
    - hey there
    - good morning
- intent: bye
  examples: |
    - goodbye
    - bye
    - see you
    - good night
)", "n.yml");
  REQUIRE(data);
  std::vector<std::string> warnings;
  auto a = cross_validate(*data, 2, warnings);
  auto b = cross_validate(*data, 2, warnings);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == 8);
  CHECK(intent_report(*a) == intent_report(*b));
  CHECK(!cross_validate(*data, 1, warnings));
  CHECK(!cross_validate(*data, 9, warnings));
}
