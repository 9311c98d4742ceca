// Every Rasa 2.8.12 oracle case: event round trips, load acceptance, tracker JSON for all four
// verbosities, applied events and the per-event state trace must equal what Rasa produced.
#include <catch2/catch.hpp>

#include "convo/core/event_list.hpp"
#include "convo/core/tracker_builder.hpp"
#include "oracle_support.hpp"

using namespace convo;
using convo::test::comparable;

namespace {

// The expected state with each event list (or digest) compared through `comparable`.
std::string state_text(const Json& actual, const Json& expected) {
  Json a = actual;
  if (expected.contains("events") && a.contains("events") && !a["events"].is_null()) {
    std::string events = comparable(a["events"], expected["events"]);
    a["events"] = Json::parse(events);
  }
  return a.dump();
}

Result<std::shared_ptr<const Domain>> oracle_domain(const Json& d) {
  if (d.is_null()) return std::shared_ptr<const Domain>();
  auto loaded = d.is_string() ? domain_from_yaml(d.get<std::string>(), "domain.yml")
                              : domain_from_json(d, "domain");
  if (!loaded) return loaded.error();
  return std::shared_ptr<const Domain>(std::make_shared<Domain>(std::move(*loaded)));
}

void check_case(const test::OracleCase& c) {
  const Json& in = c.input;
  const Json& exp = c.expected;
  const Json options = in.value("options", Json::object()).is_object() ? in.value("options", Json::object()) : Json::object();
  auto domain = oracle_domain(in.value("domain", Json()));
  if (exp.contains("tracker_error")) {
    // The domain failed to load, or the events are not a list: nothing else was run.
    bool domain_failed = !domain.ok();
    bool events_refused = !parse_events(in["events"], test::oracle_context()).ok();
    CHECK((domain_failed || events_refused));
    if (exp["domain"].is_object() && exp["domain"].contains("error")) CHECK(domain_failed);
    return;
  }
  REQUIRE(domain.ok());

  // Per-event round trip.
  const Json& events_in = in["events"];
  const Json& round = exp["roundtrip_events"];
  ParseContext ctx = test::oracle_context();
  for (std::size_t i = 0; i < round.size(); ++i) {
    INFO("roundtrip of events[" << i << "]: " << events_in[i].dump());
    auto parsed = parse_event(events_in[i], ctx);
    const std::string status = round[i]["status"];
    if (status == "ok") {
      REQUIRE(parsed.ok());
      REQUIRE(*parsed);
      CHECK((*parsed)->data().dump() == round[i]["event"].dump());
    } else if (status == "error") {
      CHECK_FALSE(parsed.ok());
    } else {
      CHECK((parsed.ok() && !*parsed));
    }
  }

  BuildOptions build;
  if (options.value("max_event_history", Json()).is_number())
    build.max_event_history = options["max_event_history"].get<std::size_t>();
  build.autofill = options.value("autofill", false);

  // Rasa's all-or-nothing load.
  auto strict = build_tracker(in["sender_id"], events_in, *domain, build, test::oracle_context());
  CHECK(strict.ok() == exp["rasa_from_dict"]["ok"].get<bool>());
  if (!strict.ok()) {
    INFO("error: " << strict.error().message);
    CHECK(strict.error().message.rfind("events[", 0) == 0);  // names the item
  }

  // The state Rasa builds from what it can use.
  BuildReport report = inspect_events(in["sender_id"], events_in, *domain, build, test::oracle_context());
  for (const char* v : {"NONE", "APPLIED", "AFTER_RESTART", "ALL"}) {
    INFO("verbosity " << v);
    const Json& want = exp["current_state"][v];
    CHECK(state_text(report.tracker->current_state(*parse_verbosity(v)), want) == want.dump());
  }
  CHECK(comparable(events_to_json(report.tracker->applied_events()), exp["applied_events"]) ==
        exp["applied_events"].dump());

  // The state after each event, as Rasa traced it.
  if (exp.contains("trace") && exp["trace"].is_array() && !exp["trace"].empty()) {
    Tracker tracker(in["sender_id"], *domain, build.max_event_history);
    ParsedEvents parsed = parse_events(events_in, test::oracle_context());
    std::size_t t = 0;
    for (std::size_t k = 0; k < parsed.events.size() && t < exp["trace"].size(); ++k) {
      auto err = build.autofill ? tracker.update_with_autofill(parsed.events[k], test::kOracleNow)
                                : tracker.update(parsed.events[k]);
      if (err) break;
      const Json& step = exp["trace"][t];
      if (step["index"].get<std::size_t>() != parsed.source_index[k]) continue;
      INFO("state after events[" << parsed.source_index[k] << "]");
      CHECK(tracker.current_state(Verbosity::None).dump() == step["state"].dump());
      ++t;
    }
    CHECK(t == exp["trace"].size());
  }
}

}  // namespace

TEST_CASE("Rasa 2.8.12 oracle cases") {
  auto cases = test::load_oracle_cases();
  REQUIRE(cases.size() >= 75);
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) { check_case(c); }
  }
}
