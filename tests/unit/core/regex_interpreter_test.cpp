// Expected values: the table in spec §12.2 (Rasa 2.8's RegexInterpreter) and its regex.
#include <catch2/catch.hpp>

#include "convo/core/regex_interpreter.hpp"

using convo::Json;
using convo::regex_parse;

TEST_CASE("regex interpreter: the spec's table") {
  Json r = regex_parse("/greet");
  CHECK(r.dump() == R"({"text":"/greet","intent":{"name":"greet","confidence":1.0},"intent_ranking":[{"name":"greet","confidence":1.0}],"entities":[]})");

  r = regex_parse(R"(/inform{"cuisine": "thai"})");
  CHECK(r["entities"].dump() == R"([{"entity":"cuisine","start":7,"end":26,"value":"thai"}])");

  r = regex_parse(R"(/inform@0.7{"cuisine": ["thai","indian"]})");
  CHECK(r["intent"]["confidence"] == 0.7);
  REQUIRE(r["entities"].size() == 2);
  CHECK(r["entities"][1].dump() == R"({"entity":"cuisine","start":11,"end":41,"value":"indian"})");

  CHECK(regex_parse("/greet@abc")["intent"].dump() == R"({"name":"greet","confidence":1.0})");
  r = regex_parse(R"(/ask {"x":1} tail)");
  CHECK(r["intent"]["name"] == "ask");
  CHECK(r["entities"].empty());
  CHECK(regex_parse("/")["intent"]["name"] == "/");
}

TEST_CASE("regex interpreter: text without the prefix, bad confidence, unicode offsets") {
  Json r = regex_parse("hello there");
  CHECK(r["text"] == "/hello there");
  CHECK(r["intent"]["name"] == "hello there");
  CHECK(regex_parse("/x@1.2.3")["intent"]["confidence"] == 0.0);
  r = regex_parse(R"(/städt{"c": "é"})");
  CHECK(r["entities"][0]["start"] == 6);  // code points, as Python counts
  CHECK(r["entities"][0]["end"] == 16);
}
