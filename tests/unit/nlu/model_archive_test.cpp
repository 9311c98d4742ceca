// The NLU model in a model archive: trained by pack_model when the project has examples, loaded
// by load_model_archive; a project without NLU data has none.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "convo/model/archive.hpp"
#include "convo/model/project.hpp"
#include "convo/nlu/nlu_model.hpp"
#include "../temp_dir.hpp"

using namespace convo;
using convo::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<ProjectFile> project(bool with_nlu) {
  std::vector<ProjectFile> files = {
      {"domain.yml", "version: \"2.0\"\nintents:\n- greet\n- goodbye\nresponses:\n  utter_hi:\n  - text: hi\n"},
      {"config.yml", "pipeline:\n- name: FallbackClassifier\n  threshold: 0.2\npolicies:\n- name: RulePolicy\n"},
      {"data/rules.yml", "version: \"2.0\"\nrules:\n- rule: hi\n  steps:\n  - intent: greet\n  - action: utter_hi\n"}};
  if (with_nlu)
    files.push_back({"data/nlu.yml", "version: \"2.0\"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi there\n"
                                     "- intent: goodbye\n  examples: |\n    - bye\n    - see you later\n"});
  return files;
}

}  // namespace

TEST_CASE("model build trains the NLU model into the archive; load gives it back", "[nlu]") {
  TempDir dir;
  auto files = project(true);
  ProjectReport report = validate_project(files);
  REQUIRE(report.ok());
  auto built = pack_model(files, report, "bot", dir.path.string(), "m.tar.gz", 1700000000);
  REQUIRE(built);
  CHECK(built->nlu["intents"] == Json::array({"goodbye", "greet"}));
  auto archive = load_model_archive(built->path);
  REQUIRE(archive);
  REQUIRE(archive->nlu);
  CHECK(archive->nlu->fallback().enabled);
  CHECK(archive->nlu->fallback().threshold == 0.2);
  CHECK(archive->nlu->parse("hello there")["intent"]["name"] == "greet");
  CHECK(std::find(archive->members.begin(), archive->members.end(), kNluModelMember) != archive->members.end());
  // The same project trains the same member bytes.
  std::vector<std::string> warnings;
  auto again = train_project_nlu(files, warnings);
  REQUIRE(again);
  CHECK(*again == archive->nlu->to_bytes());
}

TEST_CASE("a project without NLU data builds and loads without an NLU model", "[nlu]") {
  TempDir dir;
  auto files = project(false);
  ProjectReport report = validate_project(files);
  REQUIRE(report.ok());
  auto built = pack_model(files, report, "bot", dir.path.string(), "m.tar.gz", 1700000000);
  REQUIRE(built);
  CHECK(built->nlu.is_null());
  auto archive = load_model_archive(built->path);
  REQUIRE(archive);
  CHECK(!archive->nlu);
  CHECK(archive->bot);
}

namespace {

// A project whose NLU data is Rasa 1.x Markdown, with a lookup table in a file beside it.
std::vector<ProjectFile> markdown_project() {
  auto files = project(false);
  files.push_back({"data/nlu.md",
                   "<!-- Rasa 1.x -->\n## intent:greet\n- hello\n- hi there\n- I am in [Berlin](city)\n"
                   "## intent:goodbye\n- bye\n- see you later\n## lookup:city\ndata/cities.txt\n"});
  return files;
}

}  // namespace

TEST_CASE("Markdown NLU data in data/ is read by read_project, checked and trained", "[nlu]") {
  TempDir dir;
  fs::create_directories(dir.path / "bot" / "data");
  for (const auto& f : markdown_project()) dir.file("bot/" + f.name, f.text);
  dir.file("bot/data/cities.txt", "Lisbon\n\n  Porto  \nSão Paulo\n");
  dir.file("bot/data/stories.md", "## happy path\n* greet\n  - utter_hi\n");
  auto files = read_project(dir / "bot");
  REQUIRE(files);
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.name);
  CHECK(std::find(names.begin(), names.end(), "data/nlu.md") != names.end());
  ProjectReport report = validate_project(*files);
  INFO((report.errors.empty() ? std::string() : report.errors[0]));
  REQUIRE(report.ok());
  CHECK(report.nlu_examples == 5);
  CHECK(report.rules == 1);  // the Markdown files are not read as stories or rules
  auto built = pack_model(*files, report, "bot", dir / "out", "m.tar.gz", 1700000000, dir / "bot");
  REQUIRE(built);
  CHECK(built->nlu["intents"] == Json::array({"goodbye", "greet"}));
  // The Markdown stories file is skipped with a warning naming it.
  CHECK(std::any_of(built->warnings.begin(), built->warnings.end(),
                    [](const std::string& w) { return w.find("data/stories.md") != std::string::npos; }));
  auto archive = load_model_archive(built->path);
  REQUIRE(archive);
  REQUIRE(archive->nlu);
  // Elements of the lookup file (stripped, blank lines skipped) are entities.
  const Json parsed = archive->nlu->parse("I fly to Porto and then to São Paulo");
  REQUIRE(parsed["entities"].size() == 2);
  CHECK(parsed["entities"][0]["value"] == "Porto");
  CHECK(parsed["entities"][1]["value"] == "São Paulo");
  CHECK(parsed["entities"][1]["start"] == 27);  // characters, not bytes
}

TEST_CASE("a lookup table file that is missing is an error at the line naming it", "[nlu]") {
  TempDir dir;
  auto files = markdown_project();
  ProjectReport report = validate_project(files);
  REQUIRE(report.ok());
  auto built = pack_model(files, report, "bot", dir / "out", "m.tar.gz", 1700000000, dir / "nowhere");
  REQUIRE_FALSE(built);
  CHECK(built.error().message.find("data/nlu.md:10") != std::string::npos);
  CHECK(built.error().message.find("data/cities.txt") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "out" / "m.tar.gz"));
}

TEST_CASE("a Markdown intent missing from the domain fails validation with its line", "[nlu]") {
  auto files = project(false);
  files.push_back({"data/nlu.md", "## intent:greet\n- hello\n\n## intent:order_pizza\n- a pizza please\n- pizza\n"});
  ProjectReport report = validate_project(files);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].find("data/nlu.md:5") == 0);
  CHECK(report.errors[0].find("order_pizza") != std::string::npos);
  files.back().text = "## intent:greet\n- [broken]{\"entity\": }\n";
  report = validate_project(files);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].find("data/nlu.md:2") == 0);
}
