// Trackers from Rasa's own repository (shared/fixtures/rasa) load and re-serialise as Rasa does.
#include <catch2/catch.hpp>

#include "convo/core/event_list.hpp"
#include "convo/core/tracker_builder.hpp"
#include "oracle_support.hpp"

using namespace convo;

namespace {

std::filesystem::path rasa_dir() { return std::filesystem::path(CONVO_SHARED_DIR) / "fixtures" / "rasa"; }

// A domain with a generic slot for every slot the file's state names, as Rasa would have had.
std::shared_ptr<const Domain> domain_for_slots(const Json& slots) {
  Json dict = {{"slots", Json::object()}};
  for (const auto& [name, _] : slots.items()) {
    if (name == "session_started_metadata" || name == "requested_slot") continue;
    dict["slots"][name] = {{"type", "any"}};
  }
  if (slots.contains("requested_slot")) dict["forms"] = {{"some_form", {{"required_slots", Json::object()}}}};
  auto d = domain_from_json(dict);
  REQUIRE(d.ok());
  return std::make_shared<Domain>(std::move(*d));
}

// Rasa's re-serialisation adds the 2.8 defaults older files lack, and nothing else.
Json with_28_defaults(const Json& event) {
  Json e = event;
  if (e["event"] == "action") {
    if (!e.contains("action_text")) e["action_text"] = nullptr;
    if (!e.contains("hide_rule_turn")) e["hide_rule_turn"] = false;
  }
  return e;
}

}  // namespace

TEST_CASE("Rasa's moodbot trackers round-trip") {
  for (const char* file : {"tracker_moodbot.json", "tracker_moodbot_with_new_utterances.json",
                           "rasa-2.8.7/tracker_moodbot.json",
                           "rasa-2.8.7/tracker_moodbot_with_new_utterances.json"}) {
    DYNAMIC_SECTION(file) {
      Json doc = test::read_json_file(rasa_dir() / file);
      auto tracker = build_tracker(doc["sender_id"], doc["events"], nullptr, {}, system_parse_context());
      REQUIRE(tracker.ok());
      Json all = (*tracker)->current_state(Verbosity::All);
      REQUIRE(all["events"].size() == doc["events"].size());
      for (std::size_t i = 0; i < doc["events"].size(); ++i) {
        INFO("event " << i);
        CHECK(py_equal(all["events"][i], with_28_defaults(doc["events"][i])));
      }
    }
  }
}

TEST_CASE("Rasa 2.8 moodbot tracker: every top-level key reproduced") {
  Json doc = test::read_json_file(rasa_dir() / "rasa-2.8.7" / "tracker_moodbot.json");
  auto tracker = build_tracker(doc["sender_id"], doc["events"], domain_for_slots(doc["slots"]), {},
                               system_parse_context());
  REQUIRE(tracker.ok());
  Json state = (*tracker)->current_state(Verbosity::All);
  REQUIRE(state.size() == doc.size());
  for (const auto& [key, value] : doc.items()) {
    INFO("key " << key);
    CHECK(py_equal(state[key], value));
  }
  CHECK((*tracker)->applied_events().size() == 7);
}

TEST_CASE("The stale state of *_with_new_utterances: rebuilt from all 10 events") {
  Json doc = test::read_json_file(rasa_dir() / "rasa-2.8.7" / "tracker_moodbot_with_new_utterances.json");
  auto tracker = build_tracker(doc["sender_id"], doc["events"], nullptr, {}, system_parse_context());
  REQUIRE(tracker.ok());
  Json state = (*tracker)->current_state(Verbosity::None);
  CHECK(state["latest_event_time"] == doc["events"].back()["timestamp"]);
  // parse_data.text overrides the event's own text inside latest_message (spec §3.1).
  CHECK(state["latest_message"]["text"] == "my mood is so great!");
}
