// Shared by the two halves of the domain loader (domain.cpp: document, intents, entities,
// actions, sessions; domain_slots.cpp: slots and forms). Not part of the public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/yaml_json.hpp"

namespace convo::domain_internal {

// Everything one load needs besides the document itself.
struct LoadContext {
  const SourceMap& map;
  bool schema;  // YAML text: also enforce what Rasa's domain schema (pykwalify) rejects
  std::vector<std::string>& warnings;

  Error fail(const std::string& pointer, const std::string& what) const {
    return runtime_error(map.prefix(pointer) + what);
  }
};

// A step that either succeeds or stops the load with an error.
using Failure = std::optional<Error>;

std::string child(const std::string& pointer, const std::string& key);
std::string child(const std::string& pointer, std::size_t index);

// A value's kind in the words a domain author uses: "a list", "a mapping", "a string", ...
std::string kind_of(const Json& v);

// Python's str(v).lower() as Rasa applies it to categorical values (Unicode-aware for the
// Latin, Greek and Cyrillic letters).
std::string py_lower(const std::string& s);

// --- YAML input (domain_yaml.cpp) ---

// YAML text as Json (yaml_to_json, the shared converter), with the line of every mapping key and
// list item noted in `map`. A falsy document is an empty mapping.
Result<Json> read_yaml(std::string_view text, SourceMap& map);

// What Rasa's pykwalify domain schema rejects beyond the loader's own checks (`version` type,
// response variations).
Failure check_schema(const Json& data, const LoadContext& ctx);

// --- domain_slots.cpp ---

// The domain's own `slots` section, in order; categorical values already get `__other__`.
Failure build_user_slots(const Json& slots, const LoadContext& ctx, std::vector<SlotDef>& out);

// The `forms` section (2.x mapping, 3.x required_slots lists, 1.x list of names). Fills
// domain.forms and domain.form_names; 1.x forms are also returned as custom actions, because
// Rasa runs them through the SDK's FormAction.
Failure build_forms(const Json& forms, const LoadContext& ctx, Domain& domain,
                    std::vector<std::string>& form_actions);

// Appends requested_slot, the knowledge-base slots and session_started_metadata, each only
// under Rasa's conditions (spec §9.4).
void add_default_slots(Domain& domain, bool has_knowledge_base_action);

}  // namespace convo::domain_internal
