// Reading NLU training data: every annotation form, the YAML sections, Markdown, errors with lines.
#include <catch2/catch.hpp>

#include "convo/nlu/training_data.hpp"

using namespace convo;
using namespace convo::nlu;
using Catch::Matchers::Contains;

TEST_CASE("annotations: [text](entity), (entity:value), {dict} and plain brackets", "[nlu]") {
  auto p = parse_annotated("fly from [Berlin](city) to [NYC](city:New York) on [LA]{\"entity\": \"city\", "
                           "\"role\": \"to\", \"group\": \"2\", \"value\": \"Los Angeles\"} [not one] [x](y");
  REQUIRE(p);
  CHECK(p->first == "fly from Berlin to NYC on LA [not one] [x](y");
  REQUIRE(p->second.size() == 3);
  CHECK(p->second[0].entity == "city");
  CHECK(p->second[0].value == "Berlin");
  CHECK(p->first.substr(p->second[0].start, p->second[0].end - p->second[0].start) == "Berlin");
  CHECK(p->second[1].value == "New York");
  CHECK(p->first.substr(p->second[1].start, p->second[1].end - p->second[1].start) == "NYC");
  CHECK(p->second[2].value == "Los Angeles");
  CHECK(p->second[2].role == std::optional<std::string>("to"));
  CHECK(p->second[2].group == std::optional<std::string>("2"));
  CHECK(!p->second[0].role);
}

TEST_CASE("an entity dictionary without entity or not JSON is an error", "[nlu]") {
  CHECK(!parse_annotated("[a]{\"role\": \"x\"}"));
  CHECK(!parse_annotated("[a]{entity: x}"));
}

TEST_CASE("YAML: intents (block and list forms), synonyms, regexes, lookups", "[nlu]") {
  const char* text = R"(version: "2.0"
nlu:
- intent: greet
  examples: |
    - hello
    - hi [Anna](name)
- intent: chitchat/ask_name
  examples:
  - text: what is your name
    metadata: {sentiment: neutral}
- synonym: New York
  examples: |
    - NYC
    - big apple
- regex: zipcode
  examples: |
    - \d{5}
- lookup: city
  examples: |
    - Berlin
    - Paris
- intent: move
  examples: |
    - to [LA](city:Los Angeles)
)";
  auto d = read_nlu_yaml(text, "nlu.yml");
  REQUIRE(d);
  REQUIRE(d->examples.size() == 4);
  CHECK(d->examples[0].text == "hello");
  CHECK(d->examples[0].where == "nlu.yml:5");
  CHECK(d->examples[1].entities.size() == 1);
  CHECK(d->examples[2].intent == "chitchat");
  CHECK(d->examples[2].full_intent == "chitchat/ask_name");
  CHECK(d->examples[2].text == "what is your name");
  REQUIRE(d->regexes.size() == 1);
  CHECK(d->regexes[0].second == "\\d{5}");
  REQUIRE(d->lookups.size() == 1);
  CHECK(d->lookups[0].elements == std::vector<std::string>{"Berlin", "Paris"});
  // The synonym section and the annotated value that differs from its text.
  std::vector<std::pair<std::string, std::string>> expected = {{"NYC", "New York"}, {"big apple", "New York"}, {"LA", "Los Angeles"}};
  CHECK(d->synonyms == expected);
  CHECK(d->entity_types() == std::vector<std::string>{"city", "name"});
}

TEST_CASE("a YAML file without nlu: gives no data; stories are not NLU", "[nlu]") {
  auto d = read_nlu_yaml("version: \"2.0\"\nstories:\n- story: s\n  steps:\n  - intent: greet\n", "stories.yml");
  REQUIRE(d);
  CHECK(d->examples.empty());
}

TEST_CASE("a bad nlu.yml is an error naming the file and the line", "[nlu]") {
  const char* bad_entity = "version: \"2.0\"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi [Anna]{\"entity\": }\n";
  auto d = read_nlu_yaml(bad_entity, "data/nlu.yml");
  REQUIRE(!d);
  CHECK_THAT(d.error().message, Contains("data/nlu.yml:6"));
  auto yaml = read_nlu_yaml("nlu:\n- intent: greet\n  examples: |\n    - hi\n   bad: [\n", "data/nlu.yml");
  REQUIRE(!yaml);
  CHECK_THAT(yaml.error().message, Contains("data/nlu.yml:"));
  auto not_list = read_nlu_yaml("nlu:\n  greet: hi\n", "n.yml");
  REQUIRE(!not_list);
  CHECK_THAT(not_list.error().message, Contains("n.yml:1"));
}

TEST_CASE("examples not starting with '-' are skipped with a warning", "[nlu]") {
  auto d = read_nlu_yaml("nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", "n.yml");
  REQUIRE(d);
  CHECK(d->examples.size() == 1);
  REQUIRE(d->warnings.size() == 1);
  CHECK_THAT(d->warnings[0], Contains("n.yml:5"));
}

TEST_CASE("Markdown (Rasa 1.x): sections, items, comments, lines", "[nlu]") {
  const char* md = R"(<!-- a comment
spanning lines -->
## intent:greet
- hey
* hello [Sam](name)

## synonym:savings
- pink pig
## regex:zipcode
- [0-9]{5}
## lookup:city
- Berlin
)";
  auto d = read_nlu_markdown(md, "nlu.md");
  REQUIRE(d);
  REQUIRE(d->examples.size() == 2);
  CHECK(d->examples[1].text == "hello Sam");
  CHECK(d->examples[1].where == "nlu.md:5");
  CHECK(d->synonyms[0] == std::make_pair(std::string("pink pig"), std::string("savings")));
  CHECK(d->regexes[0].second == "[0-9]{5}");
  CHECK(d->lookups[0].elements[0] == "Berlin");
  auto bad = read_nlu_markdown("## intent:a\n- x\n## intnt:b\n", "nlu.md");
  REQUIRE(!bad);
  CHECK_THAT(bad.error().message, Contains("nlu.md:3"));
  auto by_name = read_nlu_file("## intent:a\n- x\n", "data/nlu.md");
  REQUIRE(by_name);
  CHECK(by_name->examples.size() == 1);
}
