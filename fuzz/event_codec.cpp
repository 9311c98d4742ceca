// The event and tracker JSON codec: any bytes as an event list. What parses must serialise, and
// what is serialised must parse back to equal events (Rasa's equality); a built tracker must
// render at every verbosity; the same list as texts (the codec without a DOM) builds the same tracker.
#include "convo/core/event_list.hpp"
#include "convo/core/json.hpp"
#include "convo/core/tracker_builder.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = parse_json_text(fuzz::as_text(data, size));
  const Json* doc = std::get_if<Json>(&parsed);
  if (!doc) return 0;
  const ParseContext ctx = fuzz::fixed_context();
  Json list = doc->is_object() && doc->contains("events") ? (*doc)["events"] : *doc;
  if (!list.is_array()) list = Json::array({list});
  ParsedEvents events = parse_events(list, ctx);
  if (events.ok()) {
    Json again = events_to_json(events.events);
    ParsedEvents reparsed = parse_events(again, ctx);
    fuzz::require(reparsed.ok(), "serialised events parse again");
    fuzz::require(reparsed.events.size() == events.events.size(), "round trip keeps the event count");
    for (std::size_t i = 0; i < events.events.size(); ++i)
      fuzz::require(events_equal(*events.events[i], *reparsed.events[i]), "round trip keeps each event");
    fuzz::require(dump_compact(events_to_json(reparsed.events)) == dump_compact(again), "serialising is stable");
  }
  BuildReport report = inspect_events("fuzz", list, nullptr, BuildOptions{}, ctx);
  for (auto v : {Verbosity::None, Verbosity::Applied, Verbosity::AfterRestart, Verbosity::All}) {
    std::string text = report.tracker->state_json(v);
    fuzz::require(std::holds_alternative<Json>(parse_json_text(text)), "tracker JSON is valid JSON");
  }
  auto built = build_tracker("fuzz", list, nullptr, BuildOptions{}, ctx);
  fuzz::require(built.ok() == report.ok(), "build_tracker and inspect_events agree");
  // The codec's fast path (texts decoded without a DOM, in either dumper's style) must agree.
  for (bool python : {true, false}) {
    EventTexts texts;
    for (const auto& item : list) texts.items.push_back(python ? dump_python(item) : dump_compact(item));
    BuildReport fast = inspect_events("fuzz", std::move(texts), nullptr, BuildOptions{}, ctx);
    fuzz::require(fast.ok() == report.ok() && fast.warnings == report.warnings, "texts and DOM find the same problems");
    if (report.ok())
      for (auto v : {Verbosity::None, Verbosity::Applied, Verbosity::AfterRestart, Verbosity::All})
        fuzz::require(fast.tracker->state_json(v) == report.tracker->state_json(v), "texts and DOM build the same tracker");
  }
  return 0;
}
