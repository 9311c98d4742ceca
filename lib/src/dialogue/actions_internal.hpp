// Shared by the processor (processor.cpp) and the form action (forms.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "convo/dialogue/processor.hpp"

namespace convo::dialogue::detail {

struct ActionOutcome {
  std::vector<Json> events;  // returned events (bot events among them go to the channel)
  bool rejected = false;     // ActionExecutionRejection (a 400 from the action server, a form)
  bool failed = false;       // any other exception: logged, the events lost
};

// An utter_ response as a bot event; nullopt when the domain has none (logged unless `silent`).
Result<std::optional<Json>> utter(const std::string& name, const Tracker& tracker, TurnContext& turn, bool silent,
                                  const Json& kwargs = Json::object());
// A custom action on the action server (RemoteAction.run).
ActionOutcome run_remote(const std::string& name, const Tracker& tracker, TurnContext& turn);
// A form of the domain (FormAction / LoopAction.run).
ActionOutcome run_form(const std::string& name, const Tracker& tracker, TurnContext& turn);

}  // namespace convo::dialogue::detail
