// NLU training data as Rasa 2.8 reads it: YAML 2.x (`nlu:` items `intent:`, `synonym:`, `regex:`,
// `lookup:`) and the Markdown format of Rasa 1.x (`## intent:name`, `- example`). Entity
// annotations `[text](entity)`, `[text](entity:value)` and `[text]{"entity": .., "role": ..,
// "group": .., "value": ..}`; an annotated value differing from its text is a synonym, as in Rasa.
// Offsets are byte offsets into the UTF-8 text (parse results convert them to Rasa's characters).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"

namespace convo::nlu {

struct EntitySpan {
  std::size_t start = 0;  // bytes into the example's plain text
  std::size_t end = 0;
  std::string entity;
  std::string value;
  std::optional<std::string> role;
  std::optional<std::string> group;
};

struct Example {
  std::string text;    // the plain text, annotations removed
  std::string intent;  // "chitchat" for "chitchat/ask_name" (Rasa classifies the base intent)
  std::string full_intent;  // as written, response key included
  std::vector<EntitySpan> entities;
  std::string where;  // "data/nlu.yml:12"
};

struct LookupTable {
  std::string name;
  std::vector<std::string> elements;
};

// A Markdown `## lookup:name` section naming a file (one element a line) instead of listing items.
struct LookupFile {
  std::string table;
  std::string path;   // as written
  std::string where;  // "data/nlu.md:7"
};

struct TrainingData {
  std::vector<Example> examples;
  std::vector<std::pair<std::string, std::string>> synonyms;  // text -> value, later ones win
  std::vector<std::pair<std::string, std::string>> regexes;   // name, pattern
  std::vector<LookupTable> lookups;
  std::vector<LookupFile> lookup_files;  // read by the model layer (read_lookup_files)
  std::vector<std::string> warnings;  // what Rasa warns about and skips

  // Adds another file's data (Rasa merges training data files the same way).
  void merge(TrainingData&& other);
  // Entity types annotated in the examples, sorted.
  std::vector<std::string> entity_types() const;
};

// `[text](entity)` annotations removed from an example: the plain text and its entity spans.
// A malformed `{...}` dictionary is an error (Rasa's InvalidEntityFormatException).
Result<std::pair<std::string, std::vector<EntitySpan>>> parse_annotated(std::string_view example);

// One file's data. YAML files without `nlu:` give no data; errors are "<source>:<line>: ...".
Result<TrainingData> read_nlu_yaml(std::string_view text, const std::string& source);
Result<TrainingData> read_nlu_markdown(std::string_view text, const std::string& source);
// By name: *.md is Markdown, anything else YAML. A Markdown file is NLU data when it holds one of
// the section markers (`## intent:`, ...), as Rasa decides; another (Markdown stories) gives no
// data and a warning.
Result<TrainingData> read_nlu_file(std::string_view text, const std::string& source);
bool is_markdown_name(std::string_view name);
// *.yml, *.yaml or *.md: the names of training data files (Rasa's), under data/ or given on a command line.
bool is_data_file_name(std::string_view name);
bool is_markdown_nlu(std::string_view text);

// A lookup table file's text as Rasa reads it: one element per non-blank line, stripped.
void add_lookup_elements(TrainingData& data, const std::string& table, std::string_view text);

}  // namespace convo::nlu
