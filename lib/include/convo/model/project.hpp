// A bot project laid out as Rasa 2.x's (domain.yml, config.yml, data/*.yml), checked the way
// `rasa data validate` checks it but with every finding that makes Rasa's validation fail counted
// as an error, and packed into a model archive (archive.hpp).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/nlu/training_data.hpp"

namespace convo {

struct ProjectFile {
  std::string name;  // relative to the project, '/'-separated: "domain.yml", "data/nlu.yml"
  std::string text;
};

// What goes in front of a project's file names in messages: "bot/" for "bot" or "bot/", "" for
// "." and "" (files named as the user gave the project: "bot/data/nlu.md:3").
std::string project_location(const std::string& dir);

// domain.yml and config.yml (each NotFound when missing) and every *.yml / *.yaml under data/,
// and *.md (Rasa 1.x Markdown NLU data), sorted by name. A missing project directory is NotFound.
Result<std::vector<ProjectFile>> read_project(const std::string& dir);

struct ProjectReport {
  std::vector<std::string> errors;    // "data/stories.yml:12: intent 'grete' is not in the domain"
  std::vector<std::string> warnings;  // same shape; do not fail the build
  std::optional<Domain> domain;
  std::size_t stories = 0;
  std::size_t rules = 0;
  std::size_t nlu_examples = 0;
  bool ok() const { return errors.empty(); }
};

// Checks the files: YAML well-formed; `version` "2.x" in each file; the domain loads; config
// sections have the right shapes; every intent, entity, action, form, slot and response that NLU
// data, stories and rules use is in the domain; utter_ actions have responses; no example is
// listed under two intents. `location` goes in front of every file name in messages ("bot/").
ProjectReport validate_project(const std::vector<ProjectFile>& files, const std::string& location = "");

struct BuiltModel {
  std::string path;         // the archive written
  std::string fingerprint;  // sha256 of the inputs (names and bytes): same inputs, same value
  Json metadata;            // what metadata.json holds
  Json nlu;                 // the NLU model's summary (nlu::NluModel::summary); null without examples
  std::vector<std::string> warnings;  // from training the NLU model
};

// Reads the lookup table files that Markdown NLU data names (`## lookup:name` then a path) into
// `data.lookups`, one element per non-blank line, as Rasa reads them when it trains. A relative
// path is looked up in `project_dir` first, then in the current directory (Rasa's base: `rasa
// train` runs in the project). A missing or unreadable file is an error at the line naming it.
Result<bool> read_lookup_files(nlu::TrainingData& data, const std::string& project_dir = "");

// convo's NLU model trained from the nlu: sections of data/*.yml and data/*.md with config.yml's
// FallbackClassifier settings, as archive bytes; "" when there are no NLU examples.
Result<std::string> train_project_nlu(const std::vector<ProjectFile>& files, std::vector<std::string>& warnings,
                                      Json* summary = nullptr, const std::string& project_dir = "");

// Packs validated files (the report must be ok) into `out_dir`/`name` (created when missing;
// default name "YYYYMMDD-HHMMSS.tar.gz" from `now`, UTC, as Rasa names trained models).
// `project` is recorded in metadata.json; `project_dir` is where lookup table files are found.
Result<BuiltModel> pack_model(const std::vector<ProjectFile>& files, const ProjectReport& report,
                              const std::string& project, const std::string& out_dir,
                              const std::string& name, std::time_t now, const std::string& project_dir = "");

// The names a domain.yml (as parsed by yaml_to_json) lists, defaults left out: {"intents": [...],
// "entities", "slots", "responses", "actions", "forms"}; list items may be strings or one-key
// mappings, mapping sections give their keys.
Json domain_names(const Json& domain_yaml);

// sha256 hex of a byte string (the hash fingerprints use).
std::string sha256_hex(const std::string& bytes);

}  // namespace convo
