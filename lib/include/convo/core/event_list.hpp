// Event lists as Rasa deserialises them (spec §4.1): which items become events, which are
// skipped, which make the whole list unloadable.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "convo/core/event.hpp"

namespace convo {
struct JsonOutline;
}

namespace convo {

struct ParsedEvents {
  std::vector<EventPtr> events;
  std::vector<std::size_t> source_index;  // position of each event in the input list
  std::vector<std::string> warnings;      // items skipped, one line each, "events[3]: ..."
  std::vector<std::string> errors;        // items Rasa refuses, one line each; any error means
                                          // Rasa would load none of the list
  std::size_t items = 0;                  // items in the input list
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

// parse_events one text at a time, as they come (a file's items, split and decoded in one pass:
// see for_each_json_item). The context must outlive the parser.
class EventListParser {
 public:
  explicit EventListParser(const ParseContext& ctx);
  ~EventListParser();
  EventListParser(const EventListParser&) = delete;
  EventListParser& operator=(const EventListParser&) = delete;
  // The next item: its text (compact, restyled with `outline` when given: EventDecoder's
  // decode_restyled; else any JSON). `text` may be moved from.
  void add(std::string& text, const JsonOutline* outline = nullptr);
  ParsedEvents finish() { return std::move(out_); }

 private:
  struct State;
  std::unique_ptr<State> state_;
  ParsedEvents out_;
};

// Serialises events (each event's `data`) into a JSON array.
Json events_to_json(const std::vector<EventPtr>& events);

// "events[3] (user)" — the prefix of every problem line about one item.
std::string item_label(std::size_t index, const Json& item);

}  // namespace convo
