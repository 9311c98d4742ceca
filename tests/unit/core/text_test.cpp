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

TEST_CASE("invalid_utf8_at: the first byte that does not begin well-formed UTF-8", "[core][text]") {
  using convo::invalid_utf8_at;
  CHECK_FALSE(invalid_utf8_at("plain ascii").has_value());
  CHECK_FALSE(invalid_utf8_at("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80").has_value());  // é, €, an emoji
  CHECK(invalid_utf8_at("ab\xC3") == 2u);                    // cut short
  CHECK(invalid_utf8_at("ab\xC0\x80") == 2u);                // overlong NUL
  CHECK(invalid_utf8_at("\xE0\x80\x80") == 0u);              // overlong three-byte form
  CHECK(invalid_utf8_at("x\xED\xA0\x80") == 1u);             // a UTF-16 surrogate
  CHECK(invalid_utf8_at("\xF4\x90\x80\x80") == 0u);          // past U+10FFFF
  CHECK(invalid_utf8_at("ok\x80") == 2u);                    // a lone continuation byte
  CHECK(invalid_utf8_at("\xE2\x82(") == 0u);                 // a bad continuation
  CHECK(convo::line_column("ab\ncd\nef", 7) == std::make_pair(std::size_t{3}, std::size_t{2}));
}

TEST_CASE("ends_with", "[core][text]") {
  CHECK(convo::ends_with("data/nlu.md", ".md"));
  CHECK(convo::ends_with(".md", ".md"));
  CHECK_FALSE(convo::ends_with("md", ".md"));
  CHECK_FALSE(convo::ends_with("nlu.yml", ".yaml"));
  CHECK(convo::ends_with("anything", ""));
}
