#include "convo/io/event_source.hpp"

#include "convo/core/json_restyle.hpp"

#include <cctype>

#include "convo/core/text.hpp"

namespace convo {
namespace {

Result<Json> parse_at(std::string_view text, const std::string& source, std::size_t base,
                      std::string_view whole) {
  auto parsed = parse_json_text(text);
  if (auto* value = std::get_if<Json>(&parsed)) return std::move(*value);
  const auto& problem = std::get<JsonProblem>(parsed);
  std::size_t at = problem.byte > 0 ? problem.byte - 1 : 0;
  if (problem.byte == 0) {  // "number overflow parsing '1e400'": point at the number
    auto open = problem.reason.find('\''), close = problem.reason.rfind('\'');
    if (open != std::string::npos && close > open + 1) {
      auto found = text.find(problem.reason.substr(open + 1, close - open - 1));
      if (found != std::string_view::npos) at = found;
    }
  }
  auto [line, col] = line_column(whole, base + at);
  return runtime_error(source + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON: " + problem.reason);
}

bool blank(std::string_view s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

// Several JSON values, one per line (blank lines allowed).
Result<EventInput> parse_ndjson(std::string_view text, const std::string& source) {
  EventInput input;
  input.format = "ndjson";
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!blank(line)) {
      auto value = parse_at(line, source, start, text);
      if (!value) return value.error();
      input.events.push_back(std::move(*value));
    }
    start = end + 1;
  }
  return input;
}

}  // namespace

Result<Json> parse_json_document(std::string_view text, const std::string& source) {
  return parse_at(text, source, 0, text);
}

Result<EventInput> parse_event_input(std::string_view text, const std::string& source, const ParseContext* decode_arrays) {
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  if (first == text.size()) return runtime_error(source + ": no events (the input is empty)");
  if (text[first] == '{') {
    // One object spanning the input is an event or a tracker; otherwise one object per line.
    std::size_t first_newline = text.find('\n', first);
    bool multi_line_values = first_newline != std::string_view::npos &&
                             !blank(text.substr(first_newline)) &&
                             Json::accept(text.substr(first, first_newline - first));
    if (multi_line_values) return parse_ndjson(text, source);
  }
  if (decode_arrays && text[first] == '[') {
    EventListParser parser(*decode_arrays);
    auto each = [&](std::string& item, const JsonOutline* outline) { parser.add(item, outline); };
    if (for_each_json_item(text, JsonStyle::Compact, each) == Restyled::Ok) {
      EventInput input;
      input.format = "array";
      input.decoded = parser.finish();
      return input;
    }  // else the DOM, which also locates a syntax error
  }
  auto doc = parse_json_document(text, source);
  if (!doc) return doc.error();
  EventInput input;
  if (doc->is_array()) {
    input.format = "array";
    input.events = std::move(*doc);
  } else if (doc->is_object() && doc->contains("events")) {
    input.format = "tracker";
    const Json& sender = (*doc)["sender_id"];
    if (sender.is_string()) input.sender_id = sender.get<std::string>();
    input.events = (*doc)["events"];
    if (!input.events.is_array())
      return runtime_error(source + ": \"events\" must be an array, got " +
                           describe_type(input.events));
  } else if (doc->is_object()) {
    input.format = "event";
    input.events.push_back(std::move(*doc));
  } else {
    return runtime_error(source + ": expected events (an array, a tracker object or NDJSON), got " +
                         describe_type(*doc));
  }
  return input;
}

}  // namespace convo
