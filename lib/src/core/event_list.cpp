#include "convo/core/event_list.hpp"

#include "convo/core/event_decode.hpp"

namespace convo {

std::string item_label(std::size_t index, const Json& item) {
  std::string label = "events[" + std::to_string(index) + "]";
  if (item.is_object()) {
    auto it = item.find("event");
    if (it != item.end() && it->is_string()) label += " (" + it->get<std::string>() + ")";
  }
  return label;
}

namespace {

// Python's `"event" in item` for the non-object items Rasa's list deserialiser meets: strings
// are searched for the substring, arrays for the element; numbers, null and booleans raise.
enum class Membership { Absent, Present, Raises };

Membership event_membership(const Json& item) {
  if (item.is_string())
    return item.get_ref<const std::string&>().find("event") != std::string::npos
               ? Membership::Present
               : Membership::Absent;
  if (item.is_array()) {
    for (const auto& x : item)
      if (x == "event") return Membership::Present;
    return Membership::Absent;
  }
  return Membership::Raises;
}

}  // namespace

namespace {

// One item of a list: what parse_events adds for it.
void parse_item(std::size_t i, const Json& item, const ParseContext& ctx, ParsedEvents& out) {
  auto label = [&] { return item_label(i, item); };  // built only for problems: hot path
  if (!item.is_object()) {
    if (event_membership(item) == Membership::Absent) {
      out.warnings.push_back(label() + ": not an event object (" + describe_type(item) + "); skipped");
    } else {
      out.errors.push_back(label() + ": expected an event object, got " + describe_type(item));
    }
    return;
  }
  if (!item.contains("event")) {
    out.warnings.push_back(label() + ": no \"event\" key; skipped");
    return;
  }
  auto parsed = parse_event(item, ctx);
  if (!parsed) {
    out.errors.push_back(label() + ": " + parsed.error().message);
  } else if (!*parsed) {
    out.warnings.push_back(label() + ": " +
                           (item["event"].is_null() ? std::string("\"event\" is null") : "legacy event type 'topic'") +
                           "; skipped");
  } else {
    out.events.push_back(std::move(*parsed));
    out.source_index.push_back(i);
  }
}

}  // namespace

ParsedEvents parse_events(const Json& list, const ParseContext& ctx) {
  ParsedEvents out;
  if (!list.is_array()) {
    out.errors.push_back("expected a JSON array of events, got " + describe_type(list));
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) parse_item(i, list[i], ctx, out);
  out.items = list.size();
  return out;
}

struct EventListParser::State {
  const ParseContext& ctx;
  EventDecoder decoder;
  explicit State(const ParseContext& c) : ctx(c), decoder(c) {}
};

EventListParser::EventListParser(const ParseContext& ctx) : state_(std::make_unique<State>(ctx)) {}
EventListParser::~EventListParser() = default;

void EventListParser::add(std::string& text, const JsonOutline* outline) {
  const std::size_t i = out_.items++;
  auto decoded = outline ? state_->decoder.decode_restyled(text, *outline) : state_->decoder.decode(text);
  if (decoded && *decoded) {
    out_.events.push_back(std::move(*decoded));
    out_.source_index.push_back(i);
    return;
  }
  // A problem or a skipped item: the DOM path says which, in its words.
  auto item = parse_json_text(text);
  if (auto* problem = std::get_if<JsonProblem>(&item)) {
    out_.errors.push_back("events[" + std::to_string(i) + "]: not valid JSON (" + problem->reason + ")");
  } else {
    parse_item(i, std::get<Json>(item), state_->ctx, out_);
  }
}

ParsedEvents parse_events(EventTexts texts, const ParseContext& ctx) {
  EventListParser parser(ctx);
  for (auto& text : texts.items) parser.add(text);
  return parser.finish();
}

Json EventTexts::to_json() const {
  Json out = Json::array();
  for (const auto& text : items) out.push_back(Json::parse(text));
  return out;
}

Json events_to_json(const std::vector<EventPtr>& events) {
  Json out = Json::array();
  for (const auto& e : events) out.push_back(e->data());
  return out;
}

}  // namespace convo
