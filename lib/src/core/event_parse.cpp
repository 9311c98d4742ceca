// Rasa 2.8's Event.from_parameters, type by type (spec §2–§3). Values are never type-checked
// or coerced beyond what makes Rasa itself raise; the result's `data` is Rasa's as_dict().
#include <string>
#include <unordered_map>

#include "convo/core/datetime.hpp"
#include "convo/core/event.hpp"
#include "convo/core/event_decode.hpp"

namespace convo {
namespace {

const std::unordered_map<std::string_view, EventType>& type_table() {
  static const std::unordered_map<std::string_view, EventType> table = {
      {"user", EventType::User},
      {"user_featurization", EventType::UserFeaturization},
      {"entities", EventType::Entities},
      {"bot", EventType::Bot},
      {"slot", EventType::Slot},
      {"restart", EventType::Restart},
      {"rewind", EventType::Rewind},
      {"reset_slots", EventType::ResetSlots},
      {"reminder", EventType::Reminder},
      {"cancel_reminder", EventType::CancelReminder},
      {"undo", EventType::Undo},
      {"export", EventType::Export},
      {"followup", EventType::Followup},
      {"pause", EventType::Pause},
      {"resume", EventType::Resume},
      {"action", EventType::Action},
      {"agent", EventType::Agent},
      {"active_loop", EventType::ActiveLoop},
      {"form", EventType::ActiveLoop},
      {"loop_interrupted", EventType::LoopInterrupted},
      {"form_validation", EventType::LoopInterrupted},
      {"action_execution_rejected", EventType::ActionExecutionRejected},
      {"session_started", EventType::SessionStarted},
      // Rasa 3.x / Rasa Pro: no effect on a 2.x tracker, kept so nothing is lost.
      {"stack", EventType::Passthrough},
      {"flow_started", EventType::Passthrough},
      {"flow_interrupted", EventType::Passthrough},
      {"flow_resumed", EventType::Passthrough},
      {"flow_completed", EventType::Passthrough},
      {"flow_cancelled", EventType::Passthrough},
      {"routing_session_ended", EventType::Passthrough},
      {"session_ended", EventType::Passthrough},
      {"agent_started", EventType::Passthrough},
      {"agent_completed", EventType::Passthrough},
      {"agent_interrupted", EventType::Passthrough},
      {"agent_resumed", EventType::Passthrough},
      {"agent_cancelled", EventType::Passthrough},
      {"conversation_inactive", EventType::Passthrough},
      {"error", EventType::Passthrough},
  };
  return table;
}

const Json& field(const Json& in, const char* key) {
  static const Json null_value;
  auto it = in.find(key);
  return it == in.end() ? null_value : *it;
}

Json field_or(const Json& in, const char* key, Json fallback) {
  auto it = in.find(key);
  return it == in.end() ? std::move(fallback) : *it;
}

Error field_error(const std::string& name, const std::string& expected, const Json* got) {
  if (!got) return runtime_error("field \"" + name + "\" is missing, expected " + expected);
  return runtime_error("field \"" + name + "\": expected " + expected + ", got " + describe_type(*got));
}

Json stamp(const Json& in, const ParseContext& ctx) {
  const Json& ts = field(in, "timestamp");
  return py_truthy(ts) ? ts : Json(ctx.now());
}

// {"event", "timestamp", "metadata" if truthy} — Rasa's Event.as_dict.
Json envelope(EventType type, const Json& in, const ParseContext& ctx) {
  Json d = Json::object();
  // ordered_json copies (not moves) its members when it grows: size it once.
  d.get_ref<Json::object_t&>().reserve(8);
  d["event"] = type_name(type);
  d["timestamp"] = stamp(in, ctx);
  const Json& metadata = field(in, "metadata");
  if (py_truthy(metadata)) d["metadata"] = metadata;
  return d;
}

// user and bot always carry metadata: last, as {} when empty (their as_dict adds it after).
void close_metadata(Json& d) {
  if (!d.contains("metadata")) d["metadata"] = Json::object();
}

Result<EventPtr> parse_user(Event& e, const Json& in, const ParseContext& ctx) {
  auto pd_it = in.find("parse_data");
  if (pd_it == in.end() || !pd_it->is_object())
    return field_error("parse_data", "an object", pd_it == in.end() ? nullptr : &*pd_it);
  const Json& supplied = *pd_it;
  const Json& intent = field(supplied, "intent");
  if (py_truthy(intent) && !intent.is_object())
    return field_error("parse_data.intent", "an object", &intent);
  Json entities = field_or(supplied, "entities", Json::array());
  if (py_truthy(entities) && !entities.is_array() && !entities.is_object())
    return field_error("parse_data.entities", "a list", &entities);

  const Json& metadata = field(in, "metadata");
  Json event_metadata = py_truthy(metadata) ? metadata : Json::object();
  Json parse_data = Json::object();
  parse_data.get_ref<Json::object_t&>().reserve(5 + supplied.size());
  parse_data["intent"] = py_truthy(intent) ? intent : Json::object();
  parse_data["entities"] = py_truthy(entities) ? entities : Json::array();
  parse_data["text"] = field(in, "text");
  parse_data["message_id"] = field(in, "message_id");
  parse_data["metadata"] = event_metadata;
  for (const auto& [key, value] : supplied.items()) parse_data[key] = value;

  e.entities_aliased = py_truthy(entities);
  e.own_entities = Json::array();
  e.set_data(envelope(EventType::User, in, ctx));
  e.edit()["text"] = field(in, "text");
  e.edit()["parse_data"] = std::move(parse_data);
  e.edit()["input_channel"] = field(in, "input_channel");
  e.edit()["message_id"] = field(in, "message_id");
  close_metadata(e.edit());
  return EventPtr();
}

Result<EventPtr> parse_reminder(Event& e, const Json& in, const ParseContext& ctx) {
  const Json& date = field(in, "date_time");
  if (!date.is_string())
    return field_error("date_time", "a date string", in.contains("date_time") ? &date : nullptr);
  auto iso = parse_reminder_datetime(date.get<std::string>(), ctx.now());
  if (!iso) return runtime_error("field \"date_time\": " + iso.error().message);
  e.set_data(envelope(EventType::Reminder, in, ctx));
  e.edit()["intent"] = field(in, "intent");
  e.edit()["date_time"] = *iso;
  e.edit()["entities"] = field(in, "entities");
  const Json& name = field(in, "name");
  e.edit()["name"] = name.is_null() ? Json(ctx.new_uuid()) : name;
  e.edit()["kill_on_user_msg"] = field_or(in, "kill_on_user_msg", true);
  return EventPtr();
}

// Fills `e` for every type but user and reminder (which can fail).
void parse_simple(Event& e, const Json& in, const ParseContext& ctx) {
  e.set_data(envelope(e.type, in, ctx));
  Json& d = e.edit();
  switch (e.type) {
    case EventType::UserFeaturization:
      d["use_text_for_featurization"] = field(in, "use_text_for_featurization");
      break;
    case EventType::Entities: d["entities"] = field(in, "entities"); break;
    case EventType::Bot: {
      d["text"] = field(in, "text");
      const Json& data = field(in, "data");
      d["data"] = py_truthy(data) ? data : Json::object();
      close_metadata(d);
      break;
    }
    case EventType::Slot:
      d["name"] = field(in, "name");
      d["value"] = field(in, "value");
      break;
    case EventType::CancelReminder:
      e.hidden = {{"name", field(in, "name")}, {"intent", field(in, "intent")},
                  {"entities", field(in, "entities")}};
      break;
    case EventType::Export: e.hidden = {{"path", field(in, "path")}}; break;
    case EventType::Followup:
    case EventType::ActiveLoop: d["name"] = field(in, "name"); break;
    case EventType::Action:
      d["name"] = field(in, "name");
      d["policy"] = field(in, "policy");
      d["confidence"] = field(in, "confidence");
      d["action_text"] = field(in, "action_text");
      d["hide_rule_turn"] = field_or(in, "hide_rule_turn", false);
      break;
    case EventType::Agent:
      d["text"] = field(in, "text");
      d["data"] = field(in, "data");
      break;
    case EventType::LoopInterrupted:
      if (field(in, "event") == "form_validation")
        d["is_interrupted"] = !py_truthy(field_or(in, "validate", true));
      else
        d["is_interrupted"] = field_or(in, "is_interrupted", false);
      break;
    case EventType::ActionExecutionRejected:
      d["name"] = field(in, "name");
      d["policy"] = field(in, "policy");
      d["confidence"] = field(in, "confidence");
      break;
    case EventType::Passthrough: {
      d = in;
      d["timestamp"] = stamp(in, ctx);
      break;
    }
    default: break;  // restart, rewind, undo, reset_slots, pause, resume, session_started
  }
}

}  // namespace

std::optional<EventType> event_type_named(std::string_view name) {
  const auto& table = type_table();
  auto it = table.find(name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

Result<EventPtr> parse_event(const Json& in, const ParseContext& ctx) {
  if (!in.is_object()) return runtime_error("expected an event object, got " + describe_type(in));
  const Json& name = field(in, "event");
  if (name.is_null()) return EventPtr();
  const auto& table = type_table();
  auto it = name.is_string() ? table.find(name.get_ref<const std::string&>()) : table.end();
  if (it == table.end()) {
    if (name == "topic") return EventPtr();  // legacy TopicSet: Rasa skips it
    return runtime_error("field \"event\": unknown event type '" + py_str(name) + "'");
  }
  auto e = std::make_shared<Event>();
  e->type = it->second;
  if (e->type == EventType::User) {
    auto r = parse_user(*e, in, ctx);
    if (!r) return r.error();
  } else if (e->type == EventType::Reminder) {
    auto r = parse_reminder(*e, in, ctx);
    if (!r) return r.error();
  } else {
    parse_simple(*e, in, ctx);
  }
  return e;
}

}  // namespace convo
