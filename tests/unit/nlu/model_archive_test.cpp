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
