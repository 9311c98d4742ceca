#include <stdexcept>

#include "convo/store/tracker_store.hpp"

#include "row_collector.hpp"

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

RowCollector::RowCollector(std::string sender_id, const LoadOptions& options) {
  conv_.sender_id = std::move(sender_id);
  if (options.decode) parser_.emplace(*options.decode);
}

void RowCollector::add_row(std::string_view data, const std::string_view* text_id, std::int64_t id) {
  bool outlined = false;
  auto event = row_event_text(data, outline_, outlined);
  if (!event) {
    const std::string row_id = text_id ? std::string(*text_id) : std::to_string(id);
    conv_.warnings.push_back("row " + row_id + ": " + event.error().message + "; skipped");
    return;
  }
  ++items_;
  if (parser_) parser_->add(*event, outlined ? &outline_ : nullptr);
  else conv_.events.items.push_back(std::move(*event));
}

StoredConversation RowCollector::finish() {
  if (parser_) conv_.decoded = parser_->finish();
  return std::move(conv_);
}

}  // namespace convo
