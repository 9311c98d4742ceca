#include <stdexcept>

#include "convo/store/tracker_store.hpp"

namespace convo {
namespace {

// A VARCHAR column value: strings as they are, other JSON as its text, null stays null.
Json as_column_text(const Json& v) {
  if (v.is_null() || v.is_string()) return v;
  return dump_python(v);
}

}  // namespace

EventRow event_row(const Event& event) {
  EventRow row;
  row.type_name = std::string(event.name());
  const Json& ts = event.timestamp();
  row.timestamp = ts.is_number() ? ts : Json();
  row.intent_name = nullptr;
  if (event.type == EventType::User) row.intent_name = as_column_text(event.intent_name());
  auto name = event.data.find("name");
  row.action_name = name == event.data.end() ? Json() : as_column_text(*name);
  row.data = dump_python(event.data);
  return row;
}

Result<Json> parse_row_data(const std::string& data) {
  // Rasa's writer may emit bare NaN/Infinity for non-finite floats; nlohmann rejects those, so
  // such rows are reported rather than misread.
  auto parsed = parse_json_text(data);
  if (auto* problem = std::get_if<JsonProblem>(&parsed)) return runtime_error("data is not valid JSON (" + problem->reason + ")");
  Json& v = std::get<Json>(parsed);
  if (!v.is_object()) return runtime_error("data is " + describe_type(v) + ", not an event object");
  return std::move(v);
}

}  // namespace convo
