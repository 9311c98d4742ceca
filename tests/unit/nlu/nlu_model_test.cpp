// The NLU model: intents from real sentences, Rasa's parse data, entities, synonyms, the
// FallbackClassifier, determinism and the byte format.
#include <catch2/catch.hpp>

#include <set>

#include "convo/core/yaml_json.hpp"
#include "convo/dialogue/understanding.hpp"
#include "convo/nlu/nlu_model.hpp"

using namespace convo;
using namespace convo::nlu;
using Catch::Matchers::Contains;

namespace {

const char* kData = R"(version: "2.0"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
    - hello, how are you
- intent: goodbye
  examples: |
    - bye
    - goodbye
    - see you later
    - bye bye, talk soon
    - good night
- intent: book_flight
  examples: |
    - book a flight to [Berlin](city)
    - I want to fly to [Paris](city)
    - get me a ticket to [NYC](city:New York)
    - I need a plane to [LA]{"entity": "city", "role": "destination", "value": "Los Angeles"}
    - flights to [London](city) please
- intent: give_zip
  examples: |
    - my zip is [12345](zipcode)
    - the postcode is [54321](zipcode)
    - it is [10115](zipcode)
- synonym: New York
  examples: |
    - big apple
- regex: zipcode
  examples: |
    - \b\d{5}\b
- lookup: city
  examples: |
    - Madrid
    - Rome
- regex: unused
  examples: |
    - foo
)";

NluModel trained(const FallbackSettings& fallback = {}) {
  auto data = read_nlu_yaml(kData, "nlu.yml");
  REQUIRE(data);
  std::vector<std::string> warnings;
  auto model = NluModel::train(*data, fallback, warnings);
  REQUIRE(model);
  return std::move(*model);
}

const Json* entity(const Json& parsed, const std::string& name, const std::string& extractor) {
  for (const auto& e : parsed["entities"])
    if (e["entity"] == name && e["extractor"] == extractor) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("real sentences get their intents, in Rasa's parse data shape", "[nlu]") {
  const NluModel model = trained();
  CHECK(model.intents() == std::vector<std::string>{"book_flight", "give_zip", "goodbye", "greet"});
  Json p = model.parse("hello there, good morning");
  CHECK(p["text"] == "hello there, good morning");
  CHECK(p["intent"]["name"] == "greet");
  CHECK(model.parse("ok bye, see you")["intent"]["name"] == "goodbye");
  CHECK(model.parse("please book me a flight to Rome")["intent"]["name"] == "book_flight");
  const Json& ranking = p["intent_ranking"];
  REQUIRE(ranking.size() == 4);
  double sum = 0, last = 1;
  for (const auto& r : ranking) {
    CHECK(r["confidence"].get<double>() <= last);
    last = r["confidence"].get<double>();
    sum += last;
  }
  CHECK(sum == Approx(1.0).epsilon(1e-5));
  CHECK(ranking[0] == p["intent"]);
}

TEST_CASE("intent_ranking holds the top 10", "[nlu]") {
  std::string text = "nlu:\n";
  for (int i = 0; i < 12; ++i)
    text += "- intent: i" + std::to_string(i) + "\n  examples: |\n    - word" + std::to_string(i) + " alpha\n    - word" +
            std::to_string(i) + " beta\n";
  auto data = read_nlu_yaml(text, "n.yml");
  REQUIRE(data);
  std::vector<std::string> warnings;
  auto model = NluModel::train(*data, {}, warnings);
  REQUIRE(model);
  Json p = model->parse("word7 gamma");
  CHECK(p["intent_ranking"].size() == 10);
  CHECK(p["intent"]["name"] == "i7");
  // Each intent carries an integer "id" as DIETClassifier's, first as in Rasa's dict; the same
  // name has the same id in the ranking and in any other model, different names differ.
  REQUIRE(p["intent"]["id"].is_number_integer());
  CHECK(p["intent"].begin().key() == "id");
  CHECK(p["intent_ranking"][0]["id"] == p["intent"]["id"]);
  std::set<std::int64_t> ids;
  for (const auto& r : p["intent_ranking"]) ids.insert(r["id"].get<std::int64_t>());
  CHECK(ids.size() == 10);
  auto other = read_nlu_yaml("nlu:\n- intent: i7\n  examples: |\n    - seven\n- intent: x\n  examples: |\n    - ex\n", "o.yml");
  REQUIRE(other);
  auto second = NluModel::train(*other, {}, warnings);
  REQUIRE(second);
  CHECK(second->parse("seven")["intent"]["id"] == p["intent"]["id"]);
}

TEST_CASE("regex and lookup entities as RegexEntityExtractor, annotated texts, synonyms", "[nlu]") {
  const NluModel model = trained();
  Json p = model.parse("my zip is 80331, fly to Madrid");
  const Json* zip = entity(p, "zipcode", "RegexEntityExtractor");
  REQUIRE(zip);
  CHECK((*zip)["value"] == "80331");
  CHECK((*zip)["start"] == 10);
  CHECK((*zip)["end"] == 15);
  const Json* city = entity(p, "city", "RegexEntityExtractor");
  REQUIRE(city);
  CHECK((*city)["value"] == "Madrid");
  // An annotated text found again; its annotated value is a synonym (EntitySynonymMapper).
  Json ny = model.parse("a ticket to nyc");
  const Json* known = entity(ny, "city", "ConvoEntityExtractor");
  REQUIRE(known);
  CHECK((*known)["value"] == "New York");
  CHECK((*known)["start"] == 12);
  CHECK((*known)["confidence_entity"] == 1.0);
  CHECK((*known)["processors"] == Json::array({"EntitySynonymMapper"}));
  Json la = model.parse("plane to LA");
  const Json* dest = entity(la, "city", "ConvoEntityExtractor");
  REQUIRE(dest);
  CHECK((*dest)["role"] == "destination");
  CHECK((*dest)["value"] == "Los Angeles");
  // A regex named after no annotated entity is not used (Rasa's use_only_entities).
  CHECK(model.parse("foo bar")["entities"].empty());
  // Offsets are characters, as Python's.
  Json utf = model.parse("ü Madrid");
  REQUIRE(entity(utf, "city", "RegexEntityExtractor"));
  CHECK((*entity(utf, "city", "RegexEntityExtractor"))["start"] == 2);
}

TEST_CASE("FallbackClassifier: threshold and ambiguity_threshold from config.yml", "[nlu]") {
  SourceMap map("config.yml");
  auto config = yaml_to_json("pipeline:\n- name: WhitespaceTokenizer\n- name: FallbackClassifier\n  threshold: 0.99\n"
                             "  ambiguity_threshold: 0.05\n", map);
  REQUIRE(config);
  auto settings = fallback_settings(*config);
  REQUIRE(settings);
  CHECK(settings->enabled);
  CHECK(settings->threshold == 0.99);
  CHECK(settings->ambiguity_threshold == 0.05);
  const NluModel high = trained(*settings);
  Json p = high.parse("hello");
  CHECK(p["intent"]["name"] == "nlu_fallback");
  CHECK(p["intent"]["confidence"] == 0.99);
  CHECK_FALSE(p["intent"].contains("id"));  // FallbackClassifier's intent has none
  CHECK(p["intent_ranking"][0] == p["intent"]);
  CHECK(p["intent_ranking"][1]["name"] == "greet");
  CHECK(p["intent_ranking"].size() == 5);
  // Ambiguity: the top two closer than the ambiguity threshold.
  const NluModel ambiguous = trained({true, 0.0, 1.0});
  CHECK(ambiguous.parse("hello")["intent"]["name"] == "nlu_fallback");
  CHECK(ambiguous.parse("hello")["intent"]["confidence"] == 0.0);
  const NluModel low = trained({true, 0.01, 0.0});
  CHECK(low.parse("hello")["intent"]["name"] == "greet");
  const NluModel off = trained({false, 0.99, 1.0});
  CHECK(off.parse("hello")["intent"]["name"] == "greet");
  auto defaults = fallback_settings(Json::parse(R"({"pipeline": [{"name": "FallbackClassifier"}]})"));
  REQUIRE(defaults);
  CHECK(defaults->threshold == 0.3);
  CHECK(defaults->ambiguity_threshold == 0.1);
  CHECK(!fallback_settings(Json::parse(R"({"pipeline": [{"name": "FallbackClassifier", "threshold": "x"}]})")));
  CHECK(!fallback_settings(Json()).value().enabled);
}

TEST_CASE("deterministic: the same data gives the same bytes; bytes load back", "[nlu]") {
  const std::string a = trained().to_bytes();
  const std::string b = trained().to_bytes();
  CHECK(a == b);
  auto loaded = NluModel::from_bytes(a);
  REQUIRE(loaded);
  CHECK(loaded->to_bytes() == a);
  const NluModel original = trained();
  for (const char* text : {"hello", "fly to Madrid", "zip 12345", "big apple"})
    CHECK(loaded->parse(text) == original.parse(text));
  auto damaged = NluModel::from_bytes(a.substr(0, a.size() - 3));
  REQUIRE(!damaged);
  CHECK_THAT(damaged.error().message, Contains("damaged"));
  CHECK(!NluModel::from_bytes("not a model"));
}

TEST_CASE("an empty text and no examples", "[nlu]") {
  Json p = trained().parse("");
  CHECK(p["intent"]["name"].is_null());
  CHECK(p["entities"].empty());
  TrainingData empty;
  std::vector<std::string> warnings;
  CHECK(!NluModel::train(empty, {}, warnings));
}

TEST_CASE("understanding: '/' texts by the regex interpreter, others by the model", "[nlu]") {
  const NluModel model = trained();
  Json regex = dialogue::parse_message("/goodbye", "m1", nullptr, &model, nullptr);
  CHECK(regex["intent"]["name"] == "goodbye");
  CHECK(regex["intent"]["confidence"] == 1.0);
  CHECK(dialogue::parse_message("hi there", "m1", nullptr, &model, nullptr)["intent"]["name"] == "greet");
  // Without a model, Rasa's regex interpreter takes the whole text as the intent name.
  CHECK(dialogue::parse_message("hi there", "m1", nullptr, nullptr, nullptr)["intent"]["name"] == "hi there");
}
