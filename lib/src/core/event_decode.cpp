// EventDecoder (see event_decode.hpp): restyle to compact text with an outline, then either trust
// the text (its shape was seen in Rasa's form before) or take parse_event's DOM path.
#include "convo/core/event_decode.hpp"


namespace convo {
namespace {

// Types whose parse keeps values out of the serialised form or makes new ones (a reminder's
// date and uuid, cancel_reminder's and export's hidden fields): always through the DOM.
bool always_parsed(EventType type) {
  return type == EventType::Reminder || type == EventType::CancelReminder || type == EventType::Export;
}

}  // namespace

Result<EventPtr> EventDecoder::decode(std::string& text) {
  compact_.clear();
  bool same = false;  // `text` is compact already: nothing copied
  if (restyle_json(text, JsonStyle::Compact, compact_, &outline_, &same) != Restyled::Ok) return decode_dom(text);
  if (same) return decode_restyled(text, outline_);
  std::string exact(compact_);  // the event's own text, at its size (compact_ keeps its buffer)
  return decode_restyled(exact, outline_);
}

Result<EventPtr> EventDecoder::decode_dom(const std::string& text) {
  auto parsed = parse_json_text(text);
  if (std::holds_alternative<JsonProblem>(parsed)) return EventPtr();
  const Json& object = std::get<Json>(parsed);
  if (!object.is_object()) return EventPtr();
  return parse_event(object, ctx_);
}

Result<EventPtr> EventDecoder::decode_restyled(std::string& compact, const JsonOutline& outline) {
  const std::optional<EventType> type = event_type_named(outline.event);
  if (!type || always_parsed(*type)) return decode_dom(compact);
  std::string& key = key_;  // reused: no allocation per event
  key.assign(outline.event);
  key += '|';
  key += outline.signature;
  auto seen = verdicts_.find(key);
  if (seen == verdicts_.end()) {
    // First of its shape: parse_event decides, and the text either is its serialised form or not.
    auto parsed = parse_event(Json::parse(compact), ctx_);
    Verdict verdict;
    if (parsed && *parsed) {
      verdict.canonical = dump_compact((**parsed).data()) == compact;
      verdict.entities_aliased = (**parsed).entities_aliased;
    }
    seen = verdicts_.emplace(key, verdict).first;
    if (!verdict.canonical) return parsed;
  } else if (!seen->second.canonical) {
    return parse_event(Json::parse(compact), ctx_);
  }
  // In Rasa's form: the text is the event (the first of a shape too, so that every such event is
  // kept the same way).
  return Event::from_text(*type, std::move(compact), seen->second.entities_aliased,
                          Event::Kept{scalar_from_token(outline.name), scalar_from_token(outline.timestamp),
                                      scalar_from_token(outline.intent_name), scalar_from_token(outline.value)});
}

}  // namespace convo
