// Conversations' dialogue turns: a message on a channel, /execute, /trigger_intent, /predict
// (processor.py's handle_message, execute_action, trigger_external_user_uttered, predict_next).
#include <algorithm>

#include "convo/dialogue/understanding.hpp"
#include "convo/pipeline/conversations.hpp"
#include "conversation_lock.hpp"

namespace convo {
namespace {

std::string message_id(const ParseContext& ctx) {
  std::string hex = ctx.new_uuid();
  hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
  return hex;
}

// The user event a channel message becomes: parse_data with message_id and metadata, as Rasa
// logs it.
Json user_event_json(const Conversations::Message& m, const Json& parsed, const std::string& id, double now) {
  Json parse_data = Json::object();
  parse_data["intent"] = parsed.value("intent", Json::object());
  parse_data["entities"] = parsed.value("entities", Json::array());
  parse_data["text"] = parsed.contains("text") ? parsed["text"] : Json(m.text);
  parse_data["message_id"] = id;
  parse_data["metadata"] = m.metadata.is_null() ? Json::object() : m.metadata;
  for (const auto& [k, v] : parsed.items())
    if (!parse_data.contains(k)) parse_data[k] = v;
  return {{"event", "user"},
          {"timestamp", now},
          {"text", m.text},
          {"parse_data", parse_data},
          {"input_channel", m.input_channel.empty() ? Json() : Json(m.input_channel)},
          {"message_id", id},
          {"metadata", m.metadata.is_null() ? Json::object() : m.metadata}};
}

// UserUttered.create_external: "EXTERNAL: <intent>", the intent without a confidence, entities
// from the object shorthand or a list, metadata is_external, the latest input channel.
Conversations::Message external_message(const std::string& id, const std::string& intent, const Json& entities) {
  Conversations::Message m;
  m.sender_id = id;
  m.text = "EXTERNAL: " + intent;
  Json ents = Json::array();
  if (entities.is_object())
    for (const auto& [k, v] : entities.items()) ents.push_back({{"entity", k}, {"value", v}});
  else if (entities.is_array())
    ents = entities;
  m.parse_data = {{"intent", {{"name", intent}}}, {"entities", ents}};
  m.metadata = {{"is_external", true}};
  m.latest_input_channel = true;
  return m;
}

}  // namespace

dialogue::TurnContext Conversations::turn_context(dialogue::OutputChannel& output) const {
  dialogue::TurnContext turn;
  turn.output = &output;
  turn.ctx = ctx_;
  turn.choose = dialogue::random_chooser();
  turn.log = log_;
  turn.action_endpoint = action_endpoint_ ? &*action_endpoint_ : nullptr;
  turn.nlg = nlg_endpoint_ ? &*nlg_endpoint_ : nullptr;
  return turn;
}

Json Conversations::parse_text(const std::string& text, const std::string& message_id) const {
  const auto model = nlu();
  return dialogue::parse_message(text, message_id, nlu_endpoint_ ? &*nlu_endpoint_ : nullptr, model.get(), log_);
}

Result<Conversations::TrackerRef> Conversations::handle_message(const Message& m, dialogue::OutputChannel& output) {
  ConversationLock lock(locks_, m.sender_id);
  auto working = checkout(m.sender_id);
  if (!working) return working.error();
  return turn_locked(std::move(*working), m, output);
}

Result<Conversations::TrackerRef> Conversations::turn_locked(Working working, const Message& given,
                                                             dialogue::OutputChannel& output) {
  Tracker* tracker = working.tracker.get();
  Message m = given;
  if (m.latest_input_channel) {  // read from the tracker already loaded under the lock
    const Json channel = tracker->latest_input_channel();
    m.input_channel = channel.is_string() ? channel.get<std::string>() : "";
  }
  const auto bot_now = bot();
  if (auto err = start_session_if_needed(*tracker, m.metadata)) return *err;
  const std::string id = message_id(ctx_);
  const Json parsed = m.parse_data.is_object() ? m.parse_data
                                               : parse_text(m.text, id);
  auto user = parse_event(user_event_json(m, parsed, id, ctx_.now()), ctx_);
  if (!user) return runtime_error("the message cannot be logged: " + user.error().message);
  if (auto err = tracker->update_with_autofill(*user, ctx_.now())) return *err;
  dialogue::TurnContext turn = turn_context(output);
  turn.memory = working.memory.get();
  if (bot_now) {
    turn.bot = bot_now.get();
    if (auto err = dialogue::predict_and_execute(*tracker, turn)) return *err;
  } else if (log_) {
    log_(true, "No model is loaded: the message was logged and nothing was predicted.");
  }
  if (output.failed) return *output.failed;
  if (auto err = commit(m.sender_id, working)) return *err;
  apply_side_effects(m.sender_id, turn);
  return TrackerRef(working.tracker);
}

void Conversations::apply_side_effects(const std::string& id, const dialogue::TurnContext& turn) {
  if (!reminders_) return;
  for (const auto& [schedule, data] : turn.reminders) {
    if (!schedule) reminders_->cancel(id, data);
    else if (!reminders_->schedule(id, data, turn.output ? turn.output->push_later : nullptr) && log_)
      log_(true, "reminder " + dump_compact(data.value("name", Json())) + " has a date_time that cannot be read; not scheduled");
  }
}

void Conversations::enable_reminders() {
  reminders_ = std::make_shared<ReminderScheduler>(
      [this](const std::string& id, const Json& r, const ReminderScheduler::Push& push) { fire_reminder(id, r, push); });
}

std::size_t Conversations::pending_reminders() const { return reminders_ ? reminders_->pending() : 0; }

void Conversations::fire_reminder(const std::string& id, const Json& reminder, const ReminderScheduler::Push& push) {
  ConversationLock lock(locks_, id);
  auto working = checkout(id);
  if (!working || working->before == 0) return;
  const Tracker* tracker = working->tracker.get();
  const Json name = reminder.value("name", Json());
  // Rasa's _has_message_after_reminder and _is_reminder_still_valid.
  bool user_after = true;
  for (auto it = tracker->events().rbegin(); it != tracker->events().rend(); ++it) {
    if ((*it)->type == EventType::Reminder && (*it)->get("name") == name) {
      user_after = false;
      break;
    }
    if ((*it)->type == EventType::User && (*it)->get("text").is_string() && !(*it)->get("text").get<std::string>().empty()) break;
  }
  bool valid = false;
  for (const auto& e : tracker->applied_events())
    if (e->type == EventType::Reminder && e->get("name") == name) valid = true;
  if ((py_truthy(reminder.value("kill_on_user_msg", Json(true))) && user_after) || !valid) {
    if (log_) log_(false, "Canceled reminder because it is outdated (" + dump_compact(name) + ").");
    return;
  }
  const std::string intent = reminder.value("intent", Json()).is_string() ? reminder["intent"].get<std::string>() : "";
  Message m = external_message(id, intent, reminder.value("entities", Json()));
  dialogue::OutputChannel later;
  later.push_later = push;  // a reminder set during this one goes the same way
  later.send = [&](const Json& bot) {
    if (push)
      for (const auto& o : dialogue::collector_messages(bot, id)) push(o);
  };
  auto done = turn_locked(std::move(*working), m, later);
  if (!done && log_) log_(true, "reminder " + dump_compact(name) + " of '" + id + "': " + done.error().message);
}

Result<Conversations::TrackerRef> Conversations::execute(const std::string& id, const std::string& action,
                                                         const Json& policy, const Json& confidence,
                                                         dialogue::OutputChannel& output) {
  const auto bot_now = bot();
  if (!bot_now) return usage_error("No agent loaded.");
  ConversationLock lock(locks_, id);
  auto started = start_turn(id, Json());
  if (!started) return started.error();
  Tracker* tracker = started->tracker.get();
  dialogue::TurnContext turn = turn_context(output);
  turn.bot = bot_now.get();
  turn.memory = started->memory.get();
  if (bot_now->policies->index_of(action) >= bot_now->policies->action_names().size())
    return runtime_error("The action '" + action + "' is not in the domain.");
  if (auto err = dialogue::execute_action(*tracker, turn, action, policy.is_string() ? policy.get<std::string>() : "",
                                          confidence.is_number() ? confidence : Json(0.0), true))
    return *err;
  if (output.failed) return *output.failed;
  if (auto err = commit(id, *started)) return *err;
  apply_side_effects(id, turn);
  return TrackerRef(started->tracker);
}

Result<Conversations::TrackerRef> Conversations::trigger_intent(const std::string& id, const std::string& intent,
                                                               const Json& entities, dialogue::OutputChannel& output) {
  const auto domain_now = domain();
  if (domain_now && std::find(domain_now->intents.begin(), domain_now->intents.end(), intent) == domain_now->intents.end())
    return not_found_error("The intent '" + intent + "' does not exist in the domain.");
  Message m = external_message(id, intent, entities);
  return handle_message(m, output);
}

Result<Json> Conversations::predict(const std::string& id) {
  const auto bot_now = bot();
  if (!bot_now) return usage_error("No agent loaded.");
  auto tracker = get(id, std::nullopt);
  if (!tracker) return tracker.error();
  dialogue::Prediction p = bot_now->policies->predict(**tracker);
  std::vector<std::pair<std::string, double>> scores;
  const auto& names = bot_now->policies->action_names();
  for (std::size_t i = 0; i < names.size() && i < p.scores.size(); ++i) scores.emplace_back(names[i], p.scores[i]);
  std::stable_sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  Json list = Json::array();
  for (const auto& [name, score] : scores) list.push_back({{"action", name}, {"score", score}});
  return Json{{"scores", list},
              {"policy", p.policy.empty() ? Json() : Json(p.policy)},
              {"confidence", p.confidence},
              {"tracker", (*tracker)->current_state(Verbosity::AfterRestart)}};
}

}  // namespace convo
