// Event input as files and stdin give it: a JSON array, a tracker object, one event, or NDJSON.
#include "convo/core/tracker_builder.hpp"
#include "convo/io/event_source.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = parse_event_input(fuzz::as_text(data, size), "fuzz.json");
  if (!input) {
    fuzz::require(!input.error().message.empty(), "an error says what is wrong");
    return 0;
  }
  fuzz::require(input->events.is_array(), "events are a list");
  BuildReport report = inspect_events(input->sender_id.value_or("fuzz"), input->events, nullptr, BuildOptions{},
                                      fuzz::fixed_context());
  (void)report.tracker->state_json(Verbosity::All);
  return 0;
}
