// EventDecoder (see event_decode.hpp): restyle to compact text with an outline, then either trust
// the text (its shape was seen in Rasa's form before) or take parse_event's DOM path.
#include "convo/core/event_decode.hpp"

#include <charconv>
#include <cstdint>

namespace convo {
namespace {

// Types whose parse keeps values out of the serialised form or makes new ones (a reminder's
// date and uuid, cancel_reminder's and export's hidden fields): always through the DOM.
bool always_parsed(EventType type) {
  return type == EventType::Reminder || type == EventType::CancelReminder || type == EventType::Export;
}

// A scalar member's value as the restyler wrote it (compact and canonical), as Json::parse would
// read it: the common forms directly, anything else (escapes, nested values) through the parser.
Json token_value(const std::string& token) {
  if (token.empty()) return Json();
  const char* b = token.data();
  const char* e = b + token.size();
  const char c = token.front();
  if (c == '"') {
    if (token.find('\\') == std::string::npos) return Json(std::string(b + 1, e - 1));
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    if (token.find_first_of(".eE") == std::string::npos) {
      if (c == '-') {
        std::int64_t i = 0;
        if (auto r = std::from_chars(b, e, i); r.ec == std::errc() && r.ptr == e) return Json(i);
      } else {
        std::uint64_t u = 0;  // nlohmann reads a non-negative integer as unsigned
        if (auto r = std::from_chars(b, e, u); r.ec == std::errc() && r.ptr == e) return Json(u);
      }
    } else {
      double d = 0;
      if (auto r = std::from_chars(b, e, d); r.ec == std::errc() && r.ptr == e) return Json(d);
    }
  } else if (token == "null") {
    return Json();
  } else if (token == "true") {
    return Json(true);
  } else if (token == "false") {
    return Json(false);
  }
  return Json::parse(token);
}

}  // namespace

Result<EventPtr> EventDecoder::decode(std::string& text) {
  compact_.clear();
  bool same = false;  // `text` is compact already: nothing copied
  const Restyled restyled = restyle_json(text, JsonStyle::Compact, compact_, &outline_, &same);
  std::optional<EventType> type;
  if (restyled == Restyled::Ok) type = event_type_named(outline_.event);
  if (!type || always_parsed(*type)) {
    auto parsed = parse_json_text(text);
    if (std::holds_alternative<JsonProblem>(parsed)) return EventPtr();
    const Json& object = std::get<Json>(parsed);
    if (!object.is_object()) return EventPtr();
    return parse_event(object, ctx_);
  }
  const std::string& compact = same ? text : compact_;
  std::string& key = key_;  // reused: no allocation per event
  key.assign(outline_.event);
  key += '|';
  key += outline_.signature;
  auto seen = verdicts_.find(key);
  if (seen != verdicts_.end()) {
    if (seen->second.canonical)
      return Event::from_text(*type, same ? std::move(text) : std::string(compact_), seen->second.entities_aliased,
                              Event::Kept{token_value(outline_.name), token_value(outline_.timestamp),
                                          token_value(outline_.intent_name)});
    return parse_event(Json::parse(compact), ctx_);
  }
  // First of its shape: parse_event decides, and the text either is its serialised form or not.
  auto parsed = parse_event(Json::parse(compact), ctx_);
  Verdict verdict;
  if (parsed && *parsed) {
    verdict.canonical = dump_compact((**parsed).data()) == compact;
    verdict.entities_aliased = (**parsed).entities_aliased;
  }
  verdicts_.emplace(key, verdict);
  return parsed;
}

}  // namespace convo
