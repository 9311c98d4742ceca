// Event input as files and stdin give it: a JSON array, a tracker object, one event, or NDJSON.
// An array read in one pass (decoded as it is split) must give what the DOM gives, item by item.
#include "convo/core/tracker_builder.hpp"
#include "convo/io/event_source.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto input = parse_event_input(text, "fuzz.json");
  const ParseContext ctx = fuzz::fixed_context();
  auto decoded = parse_event_input(text, "fuzz.json", &ctx);
  fuzz::require(input.ok() == decoded.ok(), "decoding an array in one pass accepts what the DOM accepts");
  if (!input) {
    fuzz::require(!input.error().message.empty(), "an error says what is wrong");
    fuzz::require(decoded.error().message == input.error().message, "the same error either way");
    return 0;
  }
  fuzz::require(input->events.is_array(), "events are a list");
  if (decoded->decoded) {
    const ParsedEvents want = parse_events(input->events, ctx);
    const ParsedEvents& got = *decoded->decoded;
    fuzz::require(got.items == want.items && got.source_index == want.source_index &&
                      got.warnings == want.warnings && got.errors == want.errors,
                  "one pass finds the same events and problems as the DOM");
    for (std::size_t i = 0; i < got.events.size(); ++i) {
      std::string a, b;
      got.events[i]->append_compact(a);
      want.events[i]->append_compact(b);
      fuzz::require(a == b, "one pass decodes each event as the DOM does");
    }
  }
  BuildReport report = inspect_events(input->sender_id.value_or("fuzz"), input->events, nullptr, BuildOptions{}, ctx);
  (void)report.tracker->state_json(Verbosity::All);
  return 0;
}
