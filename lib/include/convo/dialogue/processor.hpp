// Rasa 2.8's turn loop on a tracker (processor.py): predict, run and log actions until
// action_listen or 10 actions, sending bot messages to the output channel as each action is
// logged. Default actions, utter_ responses, forms, and custom actions on a Rasa SDK action
// server. Reminders and the two-stage fallback are not run yet: see docs/compatibility.md.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/tracker.hpp"
#include "convo/dialogue/nlg.hpp"
#include "convo/dialogue/policy.hpp"

namespace convo::dialogue {

// A trained bot: what serve runs for a loaded model.
struct Bot {
  std::shared_ptr<const Domain> domain;
  std::shared_ptr<const Policies> policies;
  std::vector<std::string> warnings;  // from reading and training
};

// Builds a bot from a project's files (domain.yml, config.yml, data/*.yml as (name, text)).
Result<std::shared_ptr<const Bot>> build_bot(std::shared_ptr<const Domain> domain, const Json& config,
                                             const std::vector<std::pair<std::string, std::string>>& data_files);

// endpoints.yml's action_endpoint.
struct ActionEndpoint {
  std::string url;
  std::optional<std::string> token;
  double timeout_s = 300;
};

// endpoints.yml's nlg: a server that writes the responses (spec http-api.md §10).
struct NlgEndpoint {
  std::string url;
  double timeout_s = 300;
};

// Where bot messages go during a turn: its name selects response variations (collector, queue,
// callback, a connector's name); `send` receives each bot event as it is logged.
struct OutputChannel {
  std::string name = "collector";
  std::function<void(const Json& bot_event)> send;
  // Set by `send` when a message could not be delivered (the callback channel): the turn stops
  // and is not stored, as in Rasa.
  std::optional<Error> failed;
  // How to reach the user after this request, for the turns a reminder starts later: a channel
  // that pushes (callback, a connector that POSTs its replies) sets it to send one message; null
  // (the REST channel's collector) drops them, as Rasa's collecting channels do.
  std::function<void(const Json& message)> push_later;
};

struct TurnContext {
  const Bot* bot = nullptr;
  const ActionEndpoint* action_endpoint = nullptr;  // null: custom actions fail as unreachable
  const NlgEndpoint* nlg = nullptr;                 // null: the domain's responses
  OutputChannel* output = nullptr;
  ParseContext ctx;
  Chooser choose;
  std::function<void(bool problem, const std::string& line)> log;  // Rasa's log lines
  PredictionMemory* memory = nullptr;  // the conversation's, when the caller keeps one
  // Side effects of the actions' events for the caller: reminder events (their data) and
  // cancel_reminder events (the name/intent/entities they were given), in order.
  std::vector<std::pair<bool, Json>> reminders;  // (true: schedule, false: cancel)
};

// The events of Rasa's session start for `tracker` (action_session_start is logged by the caller):
// session_started with `metadata`, the carried-over slots, action_listen.
std::vector<Json> session_start_sequence(const Tracker& tracker, const Domain* domain, const Json& metadata, double now);

// Runs the prediction loop (processor._predict_and_execute_next_action). New events are applied
// to `tracker`. An error only where the turn must not be stored (an output channel failure).
std::optional<Error> predict_and_execute(Tracker& tracker, TurnContext& turn);

// Runs one named action as the loop would log it (for /execute and /trigger_intent), then the loop
// if `then_predict`.
std::optional<Error> execute_action(Tracker& tracker, TurnContext& turn, const std::string& action,
                                    const std::string& policy, const Json& confidence, bool then_predict);

}  // namespace convo::dialogue
