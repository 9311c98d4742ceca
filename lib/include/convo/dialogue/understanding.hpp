// How a message's text becomes parse data (processor._parse_message): texts starting with "/" go to
// Rasa's regex interpreter (/intent{"entity": "value"}@0.8); others to the `nlu:` endpoint of
// endpoints.yml when one is configured (spec http-api.md §9), else to the model's NLU when the model
// has one (convo's own classifier, lib/include/convo/nlu), else to the regex interpreter too.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "convo/core/json.hpp"

namespace convo::nlu {
class NluModel;
}

namespace convo::dialogue {

struct NluEndpoint {
  std::string url;                   // a Rasa NLU server; POST <url>/model/parse
  std::optional<std::string> token;  // sent in the JSON body, as Rasa 2.8 sends it
  double timeout_s = 300;
};

// A remote failure (refused, non-200, not JSON) is logged and gives Rasa's empty result
// {"intent": {"name": "", "confidence": 0.0}, "entities": [], "text": ""}.
Json parse_message(const std::string& text, const std::string& message_id, const NluEndpoint* endpoint,
                   const nlu::NluModel* model, const std::function<void(bool, const std::string&)>& log);

}  // namespace convo::dialogue
