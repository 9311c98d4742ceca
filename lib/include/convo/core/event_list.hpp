// Event lists as Rasa deserialises them (spec §4.1): which items become events, which are
// skipped, which make the whole list unloadable.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "convo/core/event.hpp"

namespace convo {

struct ParsedEvents {
  std::vector<EventPtr> events;
  std::vector<std::size_t> source_index;  // position of each event in the input list
  std::vector<std::string> warnings;      // items skipped, one line each, "events[3]: ..."
  std::vector<std::string> errors;        // items Rasa refuses, one line each; any error means
                                          // Rasa would load none of the list
  bool ok() const { return errors.empty(); }
};

// Parses every item of `list` (which must be a JSON array) and collects all problems.
ParsedEvents parse_events(const Json& list, const ParseContext& ctx);

// Event objects, each as JSON text in any style (stored rows, a file's items): what the codec
// decodes without a DOM when the text is already in Rasa's form.
struct EventTexts {
  std::vector<std::string> items;
  Json to_json() const;  // the items parsed (for callers that edit them)
};

// parse_events over texts (any JSON, objects mostly), with the same results and messages; the
// texts move into the events they become.
ParsedEvents parse_events(EventTexts texts, const ParseContext& ctx);

// Serialises events (each event's `data`) into a JSON array.
Json events_to_json(const std::vector<EventPtr>& events);

// "events[3] (user)" — the prefix of every problem line about one item.
std::string item_label(std::size_t index, const Json& item);

}  // namespace convo
