// Event input in the shapes users have at hand: a JSON array of events, a tracker object with an
// `events` key (as Rasa's API returns it), a single event object, or NDJSON (one event per line).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "convo/core/error.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/json.hpp"

namespace convo {

struct EventInput {
  Json events = Json::array();           // the raw event list, unparsed
  // Or, for a JSON array read with a ParseContext (see parse_event_input), its items decoded as
  // they were read, in one pass and without a DOM where they are in Rasa's form; `events` is then
  // empty.
  std::optional<ParsedEvents> decoded;
  std::size_t size() const { return decoded ? decoded->items : events.size(); }
  std::optional<std::string> sender_id;  // from a tracker object's `sender_id`
  std::string format;                    // "array", "tracker", "event" or "ndjson"
};

// `source` names the input in errors, which carry the line and column of a JSON syntax error:
// "events.json:3:14: invalid JSON: ...".
// `decode_arrays`: a valid JSON array comes back decoded with it (see EventInput::decoded).
Result<EventInput> parse_event_input(std::string_view text, const std::string& source,
                                     const ParseContext* decode_arrays = nullptr);

// Parses one JSON document, with errors as "<source>:<line>:<col>: invalid JSON: <reason>".
Result<Json> parse_json_document(std::string_view text, const std::string& source);

}  // namespace convo
