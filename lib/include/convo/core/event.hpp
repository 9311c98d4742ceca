// Rasa events: the typed record every layer passes around, and its JSON codec.
// Spec: shared/spec/events-and-trackers.md §1–§4.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

enum class EventType : std::uint8_t {
  User,
  UserFeaturization,
  Entities,
  Bot,
  Slot,
  Restart,
  Rewind,
  ResetSlots,
  Reminder,
  CancelReminder,
  Undo,
  Export,
  Followup,
  Pause,
  Resume,
  Action,
  Agent,
  ActiveLoop,         // also the legacy `form` event
  LoopInterrupted,    // also the legacy `form_validation` event
  ActionExecutionRejected,
  SessionStarted,
  Passthrough,        // Rasa 3.x / Pro types (stack, flow_*, ...): kept verbatim, no 2.x effect
};

// The 2.8 type name an event of this type serialises as ("user", "active_loop", ...).
std::string_view type_name(EventType type);

// An event as Rasa holds it. `data()` is exactly what Rasa 2.8 serialises (keys, key order,
// defaults), so serialising is free and lossless where Rasa's is. An event decoded from text that
// was already in that form keeps the text (compact) and builds `data()` only when first asked.
struct Event {
  EventType type = EventType::Passthrough;
  // Parsed but never serialised (Rasa drops them): cancel_reminder's {name, intent, entities},
  // export's {path}.
  Json hidden;
  // user events: the entity list the NLU state grows through `entities` events. When the
  // supplied parse_data.entities was a non-empty list it *is* data.parse_data.entities (Rasa
  // shares the list object); otherwise it is this separate list.
  bool entities_aliased = false;
  Json own_entities;

  Event() = default;
  Event(EventType t, Json d) : type(t), data_(std::move(d)) {}
  Event(const Event& other);
  Event& operator=(const Event& other);
  // What an event kept as text answers without building data(): the members the fold, the
  // policies and the stores ask for all the time (null when absent).
  struct Kept {
    Json name;         // data()'s "name"
    Json timestamp;    // data()'s "timestamp"
    Json intent_name;  // user events: intent_name()
    Json value;        // data()'s "value" (slot events: what the tracker sets)
  };
  // An event of `type` whose serialised form is `compact` (dump_compact's text of data()).
  static std::shared_ptr<Event> from_text(EventType type, std::string compact, bool entities_aliased, Kept kept);

  // The serialised form (parsed from the kept text on first use; safe from several threads).
  const Json& data() const;
  // data() to change in place: the kept text is dropped.
  Json& edit();
  // Keeps data() as its compact text only, freeing the DOM (a tenth of the memory): for events no
  // other thread can be reading, such as a turn's new events before the conversation is cached.
  void keep_as_text();
  void set_data(Json d);
  // Appends the compact JSON text of data() (the kept text when there is one).
  void append_compact(std::string& out) const;
  // data() as Python's json.dumps writes it (what SQL rows and broker bodies hold).
  std::string python_text() const;
  // Whether the serialised form is kept as text (decoded from Rasa's form, or keep_as_text()).
  bool has_text() const { return !text_.empty(); }

  const Json& timestamp() const { return get("timestamp"); }
  // A field of the serialised form, or null when absent.
  const Json& get(const char* key) const;
  std::string_view name() const;  // the serialised `event` value

  // user events only: the NLU entity list (see entities_aliased), and the intent name.
  Json& nlu_entities();
  const Json& nlu_entities() const;
  Json intent_name() const;

 private:
  void ensure_data() const;
  mutable Json data_;
  mutable std::atomic<bool> have_data_{true};
  std::string text_;  // compact serialised form, when known
  Kept kept_;         // with text_ (see Kept)
};

using EventPtr = std::shared_ptr<Event>;

// Where parsing needs the outside world: the current time for falsy timestamps, fresh uuids for
// unnamed reminders. Injected so tests and the oracle can pin them.
struct ParseContext {
  std::function<double()> now;
  std::function<std::string()> new_uuid;
};
ParseContext system_parse_context();

// Rasa's Event.from_parameters on one JSON object. A null EventPtr means "no event": the legacy
// `topic` type or `"event": null`, which Rasa skips with a warning. Errors name the field and what
// was expected ("\"parse_data\" must be an object, got null").
Result<EventPtr> parse_event(const Json& object, const ParseContext& ctx);

// Rasa's Event equality (§13): per type, timestamps never count.
bool events_equal(const Event& a, const Event& b);

// Current wall-clock time as float epoch seconds (what Python's time.time() returns).
double wall_clock_now();

}  // namespace convo
