#include "convo/core/broker_message.hpp"

#include "convo/core/json_restyle.hpp"

namespace convo {

std::string broker_body(const std::string& sender_id, const Event& event, BodyOrder order) {
  return broker_body(sender_id, event.python_text(), order);
}

std::string broker_body(const std::string& sender_id, std::string data, BodyOrder order) {
  // The event's own text, with sender_id spliced in first (live) or last (export): the same
  // bytes as dumping a merged object, without building one.
  std::string id = dump_python(Json(sender_id));
  bool empty = data.size() <= 2;
  if (order == BodyOrder::Live)
    return "{\"sender_id\": " + id + (empty ? "}" : ", " + data.substr(1));
  data.pop_back();
  return data + (empty ? "" : ", ") + "\"sender_id\": " + id + "}";
}

std::vector<std::string> broker_bodies(const std::string& sender_id, const std::vector<EventPtr>& events) {
  std::vector<std::string> bodies;
  bodies.reserve(events.size());
  for (const auto& e : events) bodies.push_back(broker_body(sender_id, *e));
  return bodies;
}

ClassifiedMessage classify_message(const std::string& body, const ParseContext& ctx) {
  EventDecoder decoder(ctx);
  return classify_message(body, decoder);
}

ClassifiedMessage classify_message(const std::string& body, EventDecoder& decoder) {
  ClassifiedMessage out;
  {  // The fast path: the body restyled once, its sender_id cut out, the rest decoded as text.
    std::string event_text;
    JsonOutline outline;
    bool python = false;  // the body is in canonical json.dumps form
    if (restyle_json(body, JsonStyle::Compact, event_text, &outline, nullptr, &python) == Restyled::Ok &&
        outline.sender_kind == 'S') {
      event_text.erase(outline.sender_begin, outline.sender_end - outline.sender_begin);
      auto event = decoder.decode_restyled(event_text, outline);
      if (event && *event) {
        // Kept as text, the event is exactly Rasa's form: its json.dumps text is the body's,
        // less the sender_id member.
        if (python && (**event).has_text()) {
          out.python_event.reserve(body.size());
          out.python_event.append(body, 0, outline.sender_in_begin);
          out.python_event.append(body, outline.sender_in_end, std::string::npos);
          out.body_is_live = outline.sender_in_begin == 1;  // right after the opening brace
        }
        out.sender_id = scalar_from_token(outline.sender_id).get<std::string>();
        out.event = std::move(*event);
        out.ok = true;
        return out;
      }
    }
  }
  // Anything else: the DOM, which also says what is wrong.
  const ParseContext& ctx = decoder.context();
  auto parsed = parse_json_text(body);
  if (auto* problem = std::get_if<JsonProblem>(&parsed)) {
    out.reason = "not JSON: " + problem->reason;
    return out;
  }
  Json object = std::move(std::get<Json>(parsed));
  if (!object.is_object()) {
    out.reason = "not a JSON object but " + describe_type(object);
    return out;
  }
  auto sid = object.find("sender_id");
  if (sid == object.end()) {
    out.reason = "no sender_id";
    return out;
  }
  if (!sid->is_string() || sid->get_ref<const std::string&>().empty()) {
    out.reason = "sender_id is " + (sid->is_string() ? std::string("empty") : describe_type(*sid)) +
                 ", not a conversation id";
    return out;
  }
  out.sender_id = sid->get<std::string>();
  object.erase(sid);
  auto event = parse_event(object, ctx);
  if (!event) {
    out.reason = "invalid event: " + event.error().message;
    return out;
  }
  if (!*event) {
    out.reason = "invalid event: a legacy event Rasa skips (no 2.x equivalent)";
    return out;
  }
  out.event = std::move(*event);
  out.ok = true;
  return out;
}

std::string export_id_of(const InboundMessage& message) {
  for (const auto& [name, value] : message.headers)
    if (name == kExportHeader) return value;
  return {};
}

}  // namespace convo
