// YAML text as Json, typed the way Rasa 2.8's loader (ruamel, YAML 1.2 core schema) types it,
// with the line of every mapping key and list item kept for error messages. Shared by the domain
// loader and the config layer (endpoints.yml).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

// Where each node of a document was written, keyed by JSON pointer ("/slots/f/type").
// YAML input fills it; a document given as JSON has no lines, so its errors name only the source.
class SourceMap {
 public:
  explicit SourceMap(std::string source = "") : source_(std::move(source)) {}
  const std::string& source() const { return source_; }
  void set_line(const std::string& pointer, int line) { lines_[pointer] = line; }
  // "<source>:<line>: " for the pointer or its nearest located ancestor, else "<source>: ".
  std::string prefix(const std::string& pointer) const;

 private:
  std::string source_;
  std::unordered_map<std::string, int> lines_;
};

// `pointer` extended by one object key (escaped per RFC 6901) or one array index.
std::string json_pointer_child(const std::string& pointer, const std::string& key);

// Block-style YAML text of a JSON value (strings quoted when YAML would misread them).
std::string json_to_yaml(const Json& value);
std::string json_pointer_child(const std::string& pointer, std::size_t index);

// Sees every plain (unquoted, untagged) scalar, mapping keys included, before it is typed.
// A returned string replaces the scalar and stays a string (never re-typed); nullopt types the
// scalar as usual. An error stops the load; its message gets "<source>:<line>: " in front.
using PlainScalarHook = std::function<Result<std::optional<std::string>>(const std::string&)>;

// One YAML document as Json; an empty document is null. Errors are "invalid YAML" with
// "<source>:<line>:<column>: ". Merge keys (`<<`) are applied; duplicate keys are errors.
Result<Json> yaml_to_json(std::string_view text, SourceMap& map,
                          const PlainScalarHook& hook = nullptr);

}  // namespace convo
