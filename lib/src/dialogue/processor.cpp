#include "convo/dialogue/processor.hpp"

#include <algorithm>

#include "convo/core/event_list.hpp"
#include "convo/core/rasa_version.hpp"
#include "convo/net/http_client.hpp"
#include "actions_internal.hpp"

namespace convo::dialogue {
namespace {

constexpr int kMaxActionsPerTurn = 10;

bool has_response(const Domain& domain, const std::string& name) { return domain.responses.contains(name); }

}  // namespace

namespace detail {

// A response by name: from the nlg: endpoint when one is configured (an error there fails the
// action), else from the domain (TemplatedNaturalLanguageGenerator).
Result<std::optional<Json>> generate(const std::string& name, const Tracker& tracker, TurnContext& turn, const Json& kwargs) {
  if (!turn.nlg) {
    std::vector<std::string> warnings;
    auto message = generate_response(turn.bot->domain->responses, name, tracker.slot_values(), turn.output->name, kwargs,
                                     turn.choose, warnings);
    for (const auto& w : warnings)
      if (turn.log) turn.log(true, w);
    return message;
  }
  Json body = {{"response", name}, {"template", name}, {"arguments", kwargs.is_object() ? kwargs : Json::object()},
               {"tracker", tracker.current_state(Verbosity::All)}, {"channel", {{"name", turn.output->name}}}};
  ClientOptions client;
  client.base_url = turn.nlg->url;
  client.timeout_s = turn.nlg->timeout_s;
  client.retries = 0;
  auto response = http_request(client, "POST", "", dump_compact(body), false);
  if (!response) return Error{ErrorKind::Upstream, "the nlg endpoint: " + response.error().message};
  if (response->status >= 400)
    return Error{ErrorKind::Upstream, "the nlg endpoint answered HTTP " + std::to_string(response->status)};
  if (response->body.empty() || response->content_type.find("json") == std::string::npos) return std::optional<Json>();
  auto parsed = parse_json_text(response->body);
  auto* message = std::get_if<Json>(&parsed);
  if (!message || message->is_null()) return std::optional<Json>();
  auto is = [&](const char* key, bool (*ok)(const Json&)) { return !message->contains(key) || ok((*message)[key]); };
  auto list_of_objects = [](const Json& v) {
    if (v.is_null()) return true;
    if (!v.is_array()) return false;
    for (const auto& x : v)
      if (!x.is_object()) return false;
    return true;
  };
  if (!message->is_object() || !is("text", [](const Json& v) { return v.is_string(); }) || !is("buttons", list_of_objects) ||
      !is("elements", list_of_objects) || !is("attachment", [](const Json& v) { return v.is_null() || v.is_object(); }) ||
      !is("image", [](const Json& v) { return v.is_null() || v.is_string(); }) ||
      !is("custom", [](const Json& v) { return v.is_object(); }))
    return Error{ErrorKind::Upstream, "the nlg endpoint's answer does not have a bot message's shape"};
  return std::optional<Json>(std::move(*message));
}

// An utter_ action (ActionBotResponse); `silent` for the default actions' optional responses.
Result<std::optional<Json>> utter(const std::string& name, const Tracker& tracker, TurnContext& turn, bool silent,
                                  const Json& kwargs) {
  auto message = generate(name, tracker, turn, kwargs);
  if (!message) return message.error();
  if (!message->has_value()) {
    if (!silent && turn.log) turn.log(true, "Couldn't create message for response '" + name + "'.");
    return std::optional<Json>();
  }
  Json m = std::move(**message);
  m["utter_action"] = name;
  return std::optional<Json>(bot_event_for(std::move(m), turn.ctx.now()));
}

// The action server's `responses` (RemoteAction._utter_responses).
Result<std::vector<Json>> remote_responses(const Json& responses, const Tracker& tracker, TurnContext& turn) {
  std::vector<Json> out;
  if (!responses.is_array()) return out;
  for (Json response : responses) {
    if (!response.is_object()) continue;
    Json name;
    if (response.contains("response")) {
      name = response["response"];
      response.erase("response");
    }
    if (!py_truthy(name) && response.contains("template")) name = response["template"];
    response.erase("template");
    Json draft = Json::object();
    if (py_truthy(name) && name.is_string()) {
      auto generated = generate(name.get<std::string>(), tracker, turn, response);
      if (!generated) return generated.error();
      if (!generated->has_value()) {
        if (turn.log) turn.log(true, "Couldn't create message for response '" + name.get<std::string>() + "'.");
        continue;
      }
      draft = std::move(**generated);
      draft["utter_action"] = name;
    }
    Json buttons = response.value("buttons", Json());
    response.erase("buttons");
    if (py_truthy(buttons) && buttons.is_array()) {
      if (!draft.contains("buttons") || !draft["buttons"].is_array()) draft["buttons"] = Json::array();
      for (const auto& b : buttons) draft["buttons"].push_back(b);
    }
    for (const auto& [k, v] : response.items())
      if (py_truthy(v)) draft[k] = v;
    out.push_back(bot_event_for(std::move(draft), turn.ctx.now()));
  }
  return out;
}

ActionOutcome run_remote(const std::string& name, const Tracker& tracker, TurnContext& turn) {
  ActionOutcome out;
  auto fail = [&](const std::string& why) {
    if (turn.log)
      turn.log(true, "Encountered an exception while running action '" + name +
                         "'.Bot will continue, but the actions events are lost. Please check the logs of your "
                         "action server for more information. (" + why + ")");
    out.failed = true;
    return out;
  };
  if (!turn.action_endpoint || turn.action_endpoint->url.empty())
    return fail("The model predicted the custom action '" + name +
                "', but you didn't configure an endpoint to run this custom action.");
  Json body = {{"next_action", name},
               {"sender_id", tracker.sender_id()},
               {"tracker", tracker.current_state(Verbosity::All)},
               {"domain", domain_as_dict(*turn.bot->domain)},
               {"version", kRasaVersion}};
  ClientOptions client;
  client.base_url = turn.action_endpoint->url;
  client.token = turn.action_endpoint->token;
  client.timeout_s = turn.action_endpoint->timeout_s;
  client.retries = 0;
  auto response = http_request(client, "POST", "", dump_compact(body), false);
  if (!response) return fail(response.error().message);
  if (response->status == 400) {
    std::string message;
    auto parsed = parse_json_text(response->body);
    if (auto* j = std::get_if<Json>(&parsed); j && j->is_object() && j->contains("error") && (*j)["error"].is_string())
      message = (*j)["error"];
    if (turn.log) turn.log(false, "Action '" + name + "' rejected execution: " + message);
    out.rejected = true;
    return out;
  }
  if (response->status == 404) return fail("No action found for action name '" + name + "'.");
  if (response->status < 200 || response->status >= 300)
    return fail("Failed to execute custom action: HTTP " + std::to_string(response->status));
  auto parsed = parse_json_text(response->body);
  auto* result = std::get_if<Json>(&parsed);
  if (!result || !result->is_object()) return fail("the action server's answer is not a JSON object");
  // Events are checked before anything is used: one bad event loses them all.
  Json events = result->value("events", Json::array());
  if (!events.is_array()) return fail("'events' is not a list");
  ParsedEvents checked = parse_events(events, turn.ctx);
  if (!checked.ok()) return fail("Failed to validate the events returned by the action server: " + checked.errors.front());
  auto bots = remote_responses(result->value("responses", Json::array()), tracker, turn);
  if (!bots) return fail(bots.error().message);
  out.events = std::move(*bots);
  for (const auto& e : events) out.events.push_back(e);
  return out;
}

}  // namespace detail

namespace {

using detail::ActionOutcome;

Json rewind_event(double now) { return {{"event", "rewind"}, {"timestamp", now}}; }

// action_default_ask_affirmation: "Did you mean '<intent>'?" with Yes/No buttons (the second
// intent of the ranking when the first is nlu_fallback).
Json affirmation(const Tracker& tracker, double now) {
  const Event& latest = tracker.latest_message();
  Json intent = latest.intent_name();
  const Json& ranking = latest.get("parse_data").is_object() ? latest.get("parse_data").value("intent_ranking", Json()) : Json();
  if (intent == "nlu_fallback" && ranking.is_array() && ranking.size() > 1 && ranking[1].is_object())
    intent = ranking[1].value("name", Json());
  const std::string name = intent.is_string() ? intent.get<std::string>() : py_str(intent);
  Json message = {{"text", "Did you mean '" + name + "'?"},
                  {"buttons", {{{"title", "Yes"}, {"payload", "/" + name}}, {{"title", "No"}, {"payload", "/out_of_scope"}}}},
                  {"utter_action", "action_default_ask_affirmation"}};
  return bot_event_for(std::move(message), now);
}

ActionOutcome run_action(const std::string& name, Tracker& tracker, TurnContext& turn) {
  using detail::utter;
  ActionOutcome out;
  const Domain& domain = *turn.bot->domain;
  const double now = turn.ctx.now();
  // A default action's response: skipped when the domain has none; a failing nlg fails the action.
  auto optional_utter = [&](const char* response) {
    if (!has_response(domain, response) || out.failed) return;
    auto bot = utter(response, tracker, turn, true);
    if (!bot) {
      if (turn.log)
        turn.log(true, "Encountered an exception while running action '" + name +
                           "'.Bot will continue, but the actions events are lost. (" + bot.error().message + ")");
      out.failed = true;
    } else if (bot->has_value()) {
      out.events.push_back(**bot);
    }
  };
  if (name == "action_listen" || name == "action_unlikely_intent") return out;
  if (name == "action_restart") {
    optional_utter("utter_restart");
    out.events.push_back({{"event", "restart"}, {"timestamp", now}});
    return out;
  }
  if (name == "action_session_start") {
    for (auto& e : session_start_sequence(tracker, &domain, Json(), now)) out.events.push_back(std::move(e));
    return out;
  }
  if (name == "action_default_fallback") {
    optional_utter("utter_default");
    out.events.push_back(rewind_event(now));
    return out;
  }
  if (name == "action_deactivate_loop") {
    out.events.push_back({{"event", "active_loop"}, {"timestamp", now}, {"name", nullptr}});
    out.events.push_back({{"event", "slot"}, {"timestamp", now}, {"name", "requested_slot"}, {"value", nullptr}});
    return out;
  }
  if (name == "action_back") {
    optional_utter("utter_back");
    out.events.push_back(rewind_event(now));
    out.events.push_back(rewind_event(now));
    return out;
  }
  if (name == "action_default_ask_rephrase") {
    optional_utter("utter_ask_rephrase");
    return out;
  }
  if (name == "action_revert_fallback_events") {
    // The legacy TwoStageFallbackPolicy's reversal (ActionRevertFallbackEvents): after a rephrase
    // request, the rephrased message replaces the fallback turns; after an affirmation request,
    // the affirmed message, at confidence 1.0 (and an earlier rephrase is reverted too).
    const auto& applied = tracker.applied_events();
    auto last_action = [&](std::size_t skip) -> std::string {
      for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
        if ((*it)->type != EventType::Action || (*it)->get("name") == "action_listen") continue;
        if (skip-- > 0) continue;
        const Json& n = (*it)->get("name");
        return n.is_string() ? n.get<std::string>() : std::string();
      }
      return std::string();
    };
    EventPtr last_user;
    for (auto it = applied.rbegin(); it != applied.rend() && !last_user; ++it)
      if ((*it)->type == EventType::User) last_user = *it;
    auto revert_rephrasing = [&] {
      for (int i = 0; i < 3; ++i) out.events.push_back(rewind_event(now));
      out.events.push_back({{"event", "action"}, {"timestamp", now}, {"name", "action_listen"}, {"policy", nullptr}, {"confidence", nullptr}});
    };
    if (last_action(0) == "action_default_ask_rephrase" && last_user) {
      revert_rephrasing();
      out.events.push_back(last_user->data());
    } else if (last_action(0) == "action_default_ask_affirmation" && last_user) {
      out.events.push_back(rewind_event(now));
      out.events.push_back(rewind_event(now));
      out.events.push_back({{"event", "action"}, {"timestamp", now}, {"name", "action_listen"}, {"policy", nullptr}, {"confidence", nullptr}});
      if (last_action(1) == "action_default_ask_rephrase") revert_rephrasing();
      Json affirmed = last_user->data();
      if (affirmed.contains("parse_data") && affirmed["parse_data"].contains("intent") && affirmed["parse_data"]["intent"].is_object())
        affirmed["parse_data"]["intent"]["confidence"] = 1.0;
      out.events.push_back(std::move(affirmed));
    }
    return out;
  }
  if (name == "action_default_ask_affirmation") {
    out.events.push_back(affirmation(tracker, now));
    return out;
  }
  if (name == "action_two_stage_fallback") {
    // A loop (TwoStageFallbackAction): activated on the first nlu_fallback, it asks for
    // affirmation, then to rephrase; it ends when the user clarifies (the message is revised to
    // confidence 1.0 and handled again) or gives up after two fallbacks in a row or a second
    // failed affirmation (action_default_fallback's events).
    constexpr const char* kFallback = "nlu_fallback";
    constexpr const char* kOutOfScope = "out_of_scope";
    std::vector<Json> last_intents;  // the last user messages' intents; a rewind is a gap
    auto last_n = [&](std::size_t n) {
      std::vector<Json> out_names;
      std::size_t seen = 0;
      const auto events = tracker.events_after_latest_restart();
      for (auto it = events.rbegin(); it != events.rend() && seen < n; ++it) {
        if ((*it)->type == EventType::User) {
          out_names.push_back((*it)->intent_name());
          ++seen;
        } else if ((*it)->type == EventType::Rewind) {
          ++seen;
        }
      }
      return out_names;
    };
    const Json last = tracker.latest_message().intent_name();
    const bool two_in_a_row = last_n(2) == std::vector<Json>{kFallback, kFallback};
    const bool second_failed = last_n(3) == std::vector<Json>{kOutOfScope, kFallback, kOutOfScope};
    const bool clarified = last != kFallback && last != kOutOfScope;
    const bool done = clarified || two_in_a_row || second_failed;
    const bool activating = tracker.active_loop().value("name", Json()) != name;
    if (activating) out.events.push_back({{"event", "active_loop"}, {"timestamp", now}, {"name", name}});
    if (!done) {
      if (activating || last == kFallback) out.events.push_back(affirmation(tracker, now));
      else optional_utter("utter_ask_rephrase");
      return out;
    }
    out.events.push_back({{"event", "active_loop"}, {"timestamp", now}, {"name", nullptr}});
    if (two_in_a_row || second_failed) {
      optional_utter("utter_default");
      out.events.push_back(rewind_event(now));
      return out;
    }
    Json clarification = tracker.latest_message().data();
    if (clarification.contains("parse_data") && clarification["parse_data"].contains("intent") &&
        clarification["parse_data"]["intent"].is_object())
      clarification["parse_data"]["intent"]["confidence"] = 1.0;
    out.events.push_back(rewind_event(now));
    out.events.push_back({{"event", "action"}, {"timestamp", now}, {"name", "action_listen"}, {"policy", nullptr}, {"confidence", nullptr}});
    out.events.push_back(std::move(clarification));
    return out;
  }
  const bool is_default = std::find(default_action_names().begin(), default_action_names().end(), name) != default_action_names().end();
  const bool is_custom = std::find(domain.actions.begin(), domain.actions.end(), name) != domain.actions.end();
  if (name.rfind("utter_", 0) == 0 && !is_custom) {
    auto bot = utter(name, tracker, turn, false);
    if (!bot) {
      if (turn.log) turn.log(true, "Encountered an exception while running action '" + name + "'. " + bot.error().message);
      out.failed = true;
      return out;
    }
    if (bot->has_value()) out.events.push_back(**bot);
    return out;
  }
  if (is_default && !is_custom) {
    if (turn.log) turn.log(true, "The default action '" + name + "' is not run by convo yet; it logs no events.");
    return out;
  }
  if (std::find(domain.form_names.begin(), domain.form_names.end(), name) != domain.form_names.end() && !is_custom)
    return detail::run_form(name, tracker, turn);
  return detail::run_remote(name, tracker, turn);
}

std::optional<Error> apply_json(Tracker& tracker, const Json& event, const ParseContext& ctx) {
  auto parsed = parse_event(event, ctx);
  if (!parsed) return parsed.error();
  if (!*parsed) return std::nullopt;
  return tracker.update(*parsed);
}

// processor._run_action: prediction events, the action event and its events; then the bot
// messages go out. Returns whether to predict another action.
Result<bool> run_and_log(Tracker& tracker, TurnContext& turn, const std::string& action, const std::string& policy,
                         const Json& confidence, bool hide_rule_turn, const std::vector<Json>& prediction_events) {
  // The action runs on a copy that has the prediction's events (a form reads loop_interrupted).
  ActionOutcome outcome;
  // The copy is only needed by an action that can see it: a domain response rendered without an
  // nlg server reads slots only, and user_featurization changes none.
  const bool featurization_only = std::all_of(prediction_events.begin(), prediction_events.end(), [](const Json& e) {
    return string_or(e, "event") == "user_featurization";
  });
  const Domain& domain = *turn.bot->domain;
  const bool sees_slots_only =
      action == "action_listen" ||
      (action.rfind("utter_", 0) == 0 && !turn.nlg &&
       std::find(domain.actions.begin(), domain.actions.end(), action) == domain.actions.end());
  if (prediction_events.empty() || (featurization_only && sees_slots_only)) {
    outcome = run_action(action, tracker, turn);
  } else {
    Tracker working = tracker;
    for (const auto& e : prediction_events) {
      Json stamped = e;
      stamped["timestamp"] = turn.ctx.now();
      (void)apply_json(working, stamped, turn.ctx);
    }
    outcome = run_action(action, working, turn);
  }
  const double now = turn.ctx.now();
  if (outcome.rejected) {
    if (auto err = apply_json(tracker, {{"event", "action_execution_rejected"}, {"timestamp", now}, {"name", action},
                                        {"policy", policy.empty() ? Json() : Json(policy)}, {"confidence", confidence}},
                              turn.ctx))
      return *err;
    return action != "action_listen" && action != "action_session_start";
  }
  if (outcome.failed) outcome.events.clear();  // a failed action is logged, its events lost
  // An action that returns its own rejection is not logged (processor._log_action_on_tracker).
  const bool rejected_manually = std::any_of(outcome.events.begin(), outcome.events.end(), [](const Json& e) {
    return e.is_object() && string_or(e, "event") == "action_execution_rejected";
  });
  if (!rejected_manually) {
    for (const auto& e : prediction_events) {
      Json stamped = e;
      stamped["timestamp"] = now;
      if (auto err = apply_json(tracker, stamped, turn.ctx)) return *err;
    }
    Json logged = {{"event", "action"}, {"timestamp", now}, {"name", action},
                   {"policy", policy.empty() ? Json() : Json(policy)}, {"confidence", confidence},
                   {"action_text", nullptr}, {"hide_rule_turn", hide_rule_turn}};
    if (auto err = apply_json(tracker, logged, turn.ctx)) return *err;
  }
  std::vector<EventPtr> sent;
  for (auto e : outcome.events) {
    e["timestamp"] = turn.ctx.now();  // re-stamped as they are logged, after the action
    auto parsed = parse_event(e, turn.ctx);
    if (!parsed) return parsed.error();
    if (!*parsed) continue;
    if (auto err = tracker.update(*parsed)) return *err;
    if ((*parsed)->type == EventType::Bot) sent.push_back(*parsed);
    if ((*parsed)->type == EventType::Reminder) turn.reminders.emplace_back(true, (*parsed)->data());
    if ((*parsed)->type == EventType::CancelReminder)
      turn.reminders.emplace_back(false, (*parsed)->hidden.is_object() ? (*parsed)->hidden : Json::object());
  }
  // execute_side_effects: the bot messages go out after the events are logged.
  if (turn.output && turn.output->send)
    for (const auto& bot : sent) turn.output->send(bot->data());
  return action != "action_listen" && action != "action_session_start";
}

}  // namespace

Result<std::shared_ptr<const Bot>> build_bot(std::shared_ptr<const Domain> domain, const Json& config,
                                             const std::vector<std::pair<std::string, std::string>>& data_files) {
  auto bot = std::make_shared<Bot>();
  bot->domain = domain;
  auto data = read_training_data(data_files, *domain);
  if (!data) return data.error();
  bot->warnings = data->warnings;
  auto policies = Policies::train(config, domain, *data, bot->warnings);
  if (!policies) return policies.error();
  bot->policies = *policies;
  return std::shared_ptr<const Bot>(std::move(bot));
}

std::vector<Json> session_start_sequence(const Tracker& tracker, const Domain* domain, const Json& metadata, double now) {
  std::vector<Json> out;
  Json started = {{"event", "session_started"}, {"timestamp", now}};
  if (py_truthy(metadata)) started["metadata"] = metadata;
  out.push_back(started);
  if (py_truthy(metadata) && domain && domain->find_slot("session_started_metadata"))
    out.push_back({{"event", "slot"}, {"timestamp", now}, {"name", "session_started_metadata"}, {"value", metadata}});
  const bool carry = domain ? py_truthy(domain->session_config.carry_over_slots) : true;
  if (carry)
    for (const auto& e : tracker.applied_events())
      if (e->type == EventType::Slot) {
        Json copy = e->data();
        copy["timestamp"] = now;
        out.push_back(copy);
      }
  out.push_back({{"event", "action"}, {"timestamp", now}, {"name", "action_listen"}, {"policy", nullptr}, {"confidence", nullptr}});
  return out;
}

std::optional<Error> predict_and_execute(Tracker& tracker, TurnContext& turn) {
  if (!turn.bot || !turn.bot->policies) return std::nullopt;
  int actions = 0;
  bool again = true;
  while (again && actions < kMaxActionsPerTurn) {
    if (tracker.paused()) {
      const Json intent = tracker.latest_message().intent_name();
      if (intent != "restart") break;
    }
    const Json followup = tracker.followup_action();
    if (followup.is_string() && turn.log &&
        turn.bot->policies->index_of(followup.get<std::string>()) >= turn.bot->policies->action_names().size())
      turn.log(true, "Trying to run unknown follow-up action '" + followup.get<std::string>() +
                         "'. Instead of running that, Rasa Open Source will ignore the action and predict the next action.");
    Prediction p = turn.bot->policies->predict(tracker, turn.memory);
    ++actions;
    auto done = run_and_log(tracker, turn, p.action, p.policy, p.policy.empty() ? Json() : Json(p.confidence),
                            p.hide_rule_turn, p.events);
    if (!done) return done.error();
    again = *done;
    if (turn.output && turn.output->failed) return turn.output->failed;
  }
  const Json last = tracker.latest_action_name();
  if (actions >= kMaxActionsPerTurn && last != "action_listen" && last != "action_session_start" && turn.log)
    turn.log(true, "Circuit breaker tripped. Stopped predicting more actions for sender '" + tracker.sender_id() + "'.");
  return std::nullopt;
}

std::optional<Error> execute_action(Tracker& tracker, TurnContext& turn, const std::string& action,
                                    const std::string& policy, const Json& confidence, bool then_predict) {
  auto done = run_and_log(tracker, turn, action, policy, confidence, false, {});
  if (!done) return done.error();
  if (then_predict && *done) return predict_and_execute(tracker, turn);
  return std::nullopt;
}

}  // namespace convo::dialogue
