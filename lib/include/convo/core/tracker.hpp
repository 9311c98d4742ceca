// The dialogue state tracker: events applied in order, state rendered as Rasa's tracker JSON.
// Spec: shared/spec/events-and-trackers.md §5, §7, §8. Sequential semantics (§5.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/event.hpp"

namespace convo {

enum class Verbosity { None = 1, Applied = 2, AfterRestart = 3, All = 4 };

// Case-insensitive enum name ("all", "AFTER_RESTART"); nullopt for anything else.
std::optional<Verbosity> parse_verbosity(std::string_view text);
std::string_view verbosity_name(Verbosity v);

// Rasa's applied_events() over an event list (§7.1).
std::vector<EventPtr> applied_events(const std::deque<EventPtr>& events);

// The same, kept up to date as events are appended: a left fold, except that a loop name seen
// for the first time (Rasa collects them over the whole list) or a window that dropped its
// oldest event rebuilds it. Keeps rewinds and undos from rescanning the whole conversation.
class AppliedEvents {
 public:
  void rebuild(const std::deque<EventPtr>& events);
  void appended(const std::deque<EventPtr>& events, bool front_dropped);
  const std::vector<EventPtr>& events() const { return applied_; }
  // Changes whenever the list changes other than by an event added at its end (a restart, a
  // rewind, a loop collapse, a rebuild): what a reader that follows the list incrementally checks.
  std::uint64_t generation() const { return generation_; }

 private:
  void step(const EventPtr& e);
  std::uint64_t generation_ = 0;
  bool is_loop_name(const Json& name) const;
  std::vector<Json> loop_names_;
  std::vector<EventPtr> applied_;
};

// A view for people: only events whose type is in `types` (all when empty), then the last `tail`.
std::vector<EventPtr> select_events(std::vector<EventPtr> events, const std::vector<std::string>& types,
                                    std::optional<std::size_t> tail);
// The same on an event JSON array as a server sent it (left as it is when not an array).
Json select_events(Json events, const std::vector<std::string>& types, std::optional<std::size_t> tail);

class Tracker {
 public:
  // Without a domain the tracker accepts any slot name and creates it on first set (§9.5).
  explicit Tracker(std::string sender_id, std::shared_ptr<const Domain> domain = nullptr,
                   std::optional<std::size_t> max_event_history = std::nullopt);

  // Rasa's update(): appends the event, then applies it. An error means Rasa's apply raised; the
  // event stays appended, as in Rasa, and the caller decides whether the tracker is usable.
  std::optional<Error> update(EventPtr event);

  // The processor's path (§5.3): after a user or entities event, also log the slot events the
  // domain's entity auto-fill derives, stamped `now`.
  std::optional<Error> update_with_autofill(EventPtr event, double now);

  Json current_state(Verbosity verbosity) const;
  // current_state() as compact JSON text, written without copying the events (the fast path for
  // output); `events` replaces the verbosity's list when given.
  std::string state_json(Verbosity verbosity, const std::vector<EventPtr>* events = nullptr) const;
  // The same text handed to `sink` in pieces of about 64 KB (a long conversation is never held
  // whole as text).
  void write_state_json(Verbosity verbosity, const std::vector<EventPtr>* events,
                        const std::function<void(std::string_view)>& sink) const;
  const std::vector<EventPtr>& applied_events() const { return applied_.events(); }
  std::uint64_t applied_generation() const { return applied_.generation(); }
  std::vector<EventPtr> events_after_latest_restart() const;
  std::vector<EventPtr> events_for(Verbosity verbosity) const;

  const std::string& sender_id() const { return sender_id_; }
  const std::deque<EventPtr>& events() const { return events_; }
  const std::shared_ptr<const Domain>& domain() const { return domain_; }
  Json slot_values() const;
  // Cheap views for the policies (no copies): a slot's value (null when unknown), the latest
  // user event, the active loop without its trigger message.
  const Json& slot_value(const std::string& name) const;
  const Event& latest_message() const { return *latest_message_; }
  const Json& active_loop() const { return active_loop_; }
  Json latest_message_data() const;
  Json latest_action_name() const;
  Json active_loop_state() const;
  Json latest_input_channel() const;
  const Json& followup_action() const { return followup_action_; }
  bool paused() const { return paused_; }

 private:
  struct SlotState {
    std::string key;         // the JSON key it serialises under
    Json value;
    const SlotDef* def;      // null for slots created on demand
  };

  std::optional<Error> apply(const EventPtr& event);
  void state_parts(Json& head, Json& tail) const;
  std::optional<Error> apply_entities(const Event& event);
  std::optional<Error> set_slot(const Json& name, const Json& value);
  void set_slot_value(SlotState& slot, const Json& value);
  void set_latest_action(const EventPtr& action);
  Json latest_action() const;
  void change_loop_to(const Json& name);
  Json active_loop_name() const;
  void reset();
  void reset_slots();
  std::optional<Error> replay();

  std::string sender_id_;
  std::shared_ptr<const Domain> domain_;
  std::optional<std::size_t> max_event_history_;
  std::deque<EventPtr> events_;
  AppliedEvents applied_;

  std::vector<SlotState> slots_;
  std::unordered_map<std::string, std::size_t> slot_index_;  // identity key -> slots_ index

  bool paused_ = false;
  Json followup_action_ = "action_listen";
  EventPtr latest_action_event_;  // latest_action is built from it when asked (null: {})
  EventPtr latest_message_;
  EventPtr latest_bot_utterance_;
  Json active_loop_ = Json::object();  // without trigger_message, which is held by reference:
  EventPtr loop_trigger_;              // the user event whose parse_data triggered the loop
};

}  // namespace convo
