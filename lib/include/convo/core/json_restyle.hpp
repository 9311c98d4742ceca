// JSON text rewritten in another style without building a value: the event codec's fast path.
// Stored rows are Python's json.dumps text; tracker JSON is compact; both are the same values. When
// a text is already in canonical form (numbers as Python's repr writes them, no duplicate keys,
// valid UTF-8) it can change style token by token, in one pass and without a DOM.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/json.hpp"

namespace convo {

enum class JsonStyle {
  Compact,  // what dump_compact writes: no spaces, UTF-8 as is, control characters escaped
  Python,   // what dump_python writes: ", " and ": ", everything outside ASCII as \uXXXX
};

enum class Restyled {
  Ok,            // `out` holds the value in the new style
  NotCanonical,  // valid JSON perhaps, but not in a form the styles write back unchanged (a number
                 // such as 1.50 or 1e2, a duplicate key, a lone surrogate, deep nesting): use a DOM
  Invalid,       // not JSON at all (the DOM parser gives the reason)
};

// The shape of an object's text, for deciding whether a whole class of texts is canonical: its
// members' keys and value kinds, in order, with those of one nested object ("parse_data") inside
// brackets; and the string value of its "event" member.
struct JsonOutline {
  std::string signature;
  std::string event;  // decoded; empty when absent or not a string
  std::string name;   // the "name" member's value as written (compact style); empty when absent
  std::string timestamp;  // the same for "timestamp"
  std::string intent_name;  // the same for parse_data's intent's "name"
  std::string value;        // the same for "value" (a slot event's)
  // The "sender_id" member (broker bodies carry it beside the event's own members): its value as
  // written and its kind letter (0 when absent), and the bytes of the output that hold the member
  // with one separator, so that cutting them leaves the event's object.
  std::string sender_id;
  char sender_kind = 0;
  std::size_t sender_begin = 0, sender_end = 0;
  // The same bytes in the input, when it is in Python's style (see restyle_json's same_as_other).
  std::size_t sender_in_begin = 0, sender_in_end = 0;
  // Empties it, keeping the strings' buffers (an outline is reused for every event of a stream).
  void clear() {
    for (std::string* s : {&signature, &event, &name, &timestamp, &intent_name, &value, &sender_id}) s->clear();
    sender_kind = 0;
    sender_begin = sender_end = sender_in_begin = sender_in_end = 0;
  }
};

// Appends `in` rewritten in `style` to `out` (which is left as it was unless the result is Ok).
// With `outline`, `in` must be an object and its outline is filled (its offsets are in `out`).
// With `same_as_input`: when `in` is already exactly its rewriting, *same_as_input is set and
// nothing is appended (one pass, no copy: a text already in the target style); else false.
// With `same_as_other`: whether `in` is exactly what the other style writes (checked in the same
// pass: a json.dumps body restyled to compact is also known to be in canonical json.dumps form).
Restyled restyle_json(std::string_view in, JsonStyle style, std::string& out, JsonOutline* outline = nullptr,
                      bool* same_as_input = nullptr, bool* same_as_other = nullptr);

// A scalar value as an outline holds it (a token restyle_json wrote), read as Json::parse would
// read it (a non-negative integer unsigned, as nlohmann does): the common forms without the
// parser; empty is null.
Json scalar_from_token(const std::string& token);

// A JSON array's items restyled one after another, in one pass, without a DOM: how a file of
// events becomes events. `each` gets every item's text (separators and brackets dropped), and
// with it the outline when the item is an object in canonical form (restyled strictly: what
// EventDecoder's decode_restyled takes); else null, and numbers and duplicate keys the dumpers
// would write otherwise are copied as they are (decoding sends such an item to the DOM). `item`
// is a string of its own, at its size: it may be moved from and kept. Invalid as soon as the text proves not to be a JSON array (the items
// before it were given); a syntax error is the DOM's to locate.
Restyled for_each_json_item(std::string_view in, JsonStyle style,
                            const std::function<void(std::string& item, const JsonOutline* outline)>& each);

}  // namespace convo
