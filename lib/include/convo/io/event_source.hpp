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
  // With `as_texts`, a JSON array's items are here instead, each as compact text (the codec
  // decodes them without a DOM) and `events` is empty.
  EventTexts texts;
  bool as_texts = false;
  std::size_t size() const { return as_texts ? texts.items.size() : events.size(); }
  std::optional<std::string> sender_id;  // from a tracker object's `sender_id`
  std::string format;                    // "array", "tracker", "event" or "ndjson"
};

// `source` names the input in errors, which carry the line and column of a JSON syntax error:
// "events.json:3:14: invalid JSON: ...".
// `texts_for_arrays`: a valid JSON array comes back as texts (see EventInput).
Result<EventInput> parse_event_input(std::string_view text, const std::string& source, bool texts_for_arrays = false);

// Parses one JSON document, with errors as "<source>:<line>:<col>: invalid JSON: <reason>".
Result<Json> parse_json_document(std::string_view text, const std::string& source);

}  // namespace convo
