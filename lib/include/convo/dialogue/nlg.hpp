// Responses as Rasa 2.8's TemplatedNaturalLanguageGenerator gives them (docs/dialogue-notes.md
// §7): the variation chosen by condition and output channel, {slot} placeholders filled with
// Python's str.format rules, the bot event ActionBotResponse logs, and the objects a collecting
// output channel (REST) renders from a bot event (spec http-api.md §6.4).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo::dialogue {

// Picks one of `n` candidates (Rasa: numpy's uniform choice); tests pass a fixed choice.
using Chooser = std::function<std::size_t(std::size_t n)>;
Chooser random_chooser();

// The filled response for `utter_action` (a copy of one variation of domain `responses`), or
// nullopt when the domain has none that fits. An error where Rasa's formatting raises (a lone
// brace): the whole utter action then fails. `warnings` gets Rasa's logged problems (a
// placeholder without a value leaves its string unchanged).
Result<std::optional<Json>> generate_response(const Json& responses, const std::string& utter_action,
                                              const Json& slot_values, const std::string& output_channel,
                                              const Json& kwargs, const Chooser& choose,
                                              std::vector<std::string>& warnings);

// Rasa's interpolate_text: "{name}" replaced by str(values[name]).
Result<std::string> interpolate_text(const std::string& text, const Json& values, std::vector<std::string>& warnings);

// The `bot` event (create_bot_utterance) for a filled response; `utter_action` goes into its
// metadata with every key of the variation that is not a message part.
Json bot_event_for(Json message, double timestamp);

// The objects a collecting output channel sends for one bot event, with recipient_id.
std::vector<Json> collector_messages(const Json& bot_event, const std::string& recipient_id);

}  // namespace convo::dialogue
