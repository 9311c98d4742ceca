// core/text: the one duration syntax and list splitting.
#include <catch2/catch.hpp>

#include "convo/core/text.hpp"

using namespace convo;

TEST_CASE("parse_duration: numbers with an optional unit", "[text]") {
  CHECK(*parse_duration("500ms") == Approx(0.5));
  CHECK(*parse_duration("30s") == 30);
  CHECK(*parse_duration("1.5") == 1.5);
  CHECK(*parse_duration("15m") == 900);
  CHECK(*parse_duration("2h") == 7200);
  CHECK(*parse_duration("2d") == 172800);
  CHECK(*parse_duration("0") == 0);
  CHECK(*parse_duration(".5s") == 0.5);
  for (const char* bad : {"", "s", "-1", "+1", " 1", "1 s", "1x", "1e3", "1.2.3", "ms", "1sec", "nan", "inf"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("split_nonempty drops empty pieces", "[text]") {
  CHECK(split_nonempty("user,bot", ',') == std::vector<std::string>{"user", "bot"});
  CHECK(split_nonempty(",a,,b,", ',') == std::vector<std::string>{"a", "b"});
  CHECK(split_nonempty("", ',').empty());
  CHECK(split_nonempty("convo tracker show", ' ') == std::vector<std::string>{"convo", "tracker", "show"});
}
