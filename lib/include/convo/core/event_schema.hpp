// Rasa 2.8's JSON schema for event lists (rasa/shared/utils/schemas/events.py), applied to the
// HTTP append/replace bodies and to action-server responses before parsing (spec §4.3).
#pragma once

#include <optional>
#include <string>

#include "convo/core/json.hpp"

namespace convo {

// nullopt when `events` (a JSON array) satisfies the schema; otherwise the first error, on one line
// naming the item, the field and the problem in jsonschema's words, e.g.
// "events[2] (slot): 'name' is a required property" or
// "events[0] (user): parse_data.entities[0].start: '0' is not of type 'integer'".
std::optional<std::string> validate_events_schema(const Json& events);

}  // namespace convo
