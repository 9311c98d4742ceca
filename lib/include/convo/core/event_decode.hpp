// Event text to Event without a DOM: the fast path of the one event codec. A text already in
// Rasa's serialised form (what convo and Rasa write: stored rows, broker bodies, tracker JSON) is
// kept as the event's text, and its data is built only when something asks for it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "convo/core/event.hpp"
#include "convo/core/json_restyle.hpp"

namespace convo {

class EventDecoder {
 public:
  explicit EventDecoder(const ParseContext& ctx) : ctx_(ctx) {}
  const ParseContext& context() const { return ctx_; }

  // What parse_event gives for the object this text holds. Null (no event, as parse_event) also
  // when the text is not a JSON object: callers that report problems check those with the DOM.
  // Whether a text is in Rasa's form is decided once per shape (its keys, the kinds of their
  // values, its event type) by comparing parse_event's result with it; the scanner checks the
  // rest (numbers, strings) token by token.
  // `text` may be moved into the event returned (then it is left empty); on a null result or an
  // error it is unchanged.
  Result<EventPtr> decode(std::string& text);
  // The same for a text restyle_json has just written in compact style, with its outline: no
  // second pass over it (a broker body, restyled once to cut its sender_id out). `compact` may be
  // moved into the event.
  Result<EventPtr> decode_restyled(std::string& compact, const JsonOutline& outline);

 private:
  Result<EventPtr> decode_dom(const std::string& text);
  struct Verdict {
    bool canonical = false;
    bool entities_aliased = false;
  };
  const ParseContext& ctx_;
  std::unordered_map<std::string, Verdict> verdicts_;
  std::string compact_, key_;
  JsonOutline outline_;
};

// The event type a serialised `event` name stands for (legacy names included); nullopt for
// names Rasa does not know.
std::optional<EventType> event_type_named(std::string_view name);

}  // namespace convo
