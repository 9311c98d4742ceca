// Rasa 2.8's RegexInterpreter: "/intent@0.9{"entity": "value"}" shortcuts, and what a server
// without an NLU model makes of any text (spec events-and-trackers.md §12.2, http-api.md §1.6).
#pragma once

#include <string>

#include "convo/core/json.hpp"

namespace convo {

// {"text", "intent": {"name", "confidence"}, "intent_ranking": [...], "entities": [...]}; the text
// gets a leading "/" when it has none, as Rasa's interpreter returns it.
Json regex_parse(const std::string& text);

}  // namespace convo
