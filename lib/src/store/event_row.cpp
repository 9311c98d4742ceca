#include <stdexcept>

#include "convo/store/tracker_store.hpp"

#include "convo/core/json_restyle.hpp"

namespace convo {
namespace {

// A VARCHAR column value: strings as they are, other JSON as its text, null stays null.
Json as_column_text(const Json& v) {
  if (v.is_null() || v.is_string()) return v;
  return dump_python(v);
}

}  // namespace

EventRow event_row(const Event& event) { return event_row(event, event.python_text()); }

EventRow event_row(const Event& event, std::string python_text) {
  EventRow row;
  row.type_name = std::string(event.name());
  const Json& ts = event.timestamp();
  row.timestamp = ts.is_number() ? ts : Json();
  row.intent_name = nullptr;
  if (event.type == EventType::User) row.intent_name = as_column_text(event.intent_name());
  const Json& name = event.get("name");
  row.action_name = name.is_null() ? Json() : as_column_text(name);
  row.data = std::move(python_text);
  return row;
}

Result<std::string> row_event_text(std::string_view data, JsonOutline& outline, bool& outlined) {
  // Restyled into a scratch buffer, then copied at its exact size: a conversation's texts are
  // most of a read's memory, and a capacity reserved for the worst case would be touched too.
  thread_local std::string compact;
  compact.clear();
  outline.clear();
  outlined = restyle_json(data, JsonStyle::Compact, compact, &outline) == Restyled::Ok;
  if (outlined) return std::string(compact);
  // Rasa's writer may emit bare NaN/Infinity for non-finite floats; nlohmann rejects those, so
  // such rows are reported rather than misread.
  auto parsed = parse_json_text(data);
  if (auto* problem = std::get_if<JsonProblem>(&parsed)) return runtime_error("data is not valid JSON (" + problem->reason + ")");
  const Json& v = std::get<Json>(parsed);
  if (!v.is_object()) return runtime_error("data is " + describe_type(v) + ", not an event object");
  return std::string(data);
}

}  // namespace convo
