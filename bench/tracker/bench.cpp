// convo_bench_tracker FILE [--runs K] [--apply-budget S] — times the tracker read and write paths
// on one event list (a JSON array, as convo_bench_gen writes it), each phase separately, best of
// K runs (3):
//   floor           nlohmann::ordered_json::parse of the bytes (and unordered nlohmann::json, for
//                   reference): what no codec built on nlohmann can beat;
//   parse           Json::parse + convo::parse_events, the full read path;
//   codec           convo::parse_events alone, on the already-parsed Json;
//   apply           Tracker::update() of every parsed event into one tracker, no domain; a run
//                   over its budget (S seconds, 60; 0 = none) stops and is reported as partial;
//   apply_norevert  the same minus the rewind/undo events (whose replay cost grows with the
//                   tracker's length), so the per-event path is measured on any list;
//   serialise       Tracker::current_state(Verbosity::All) + dump() to a string (also split), of
//                   the apply tracker (of the apply_norevert one if apply was partial);
//   state_json      Tracker::state_json(Verbosity::All), the output path that writes the same
//                   text without building the state as Json.
// Destruction of what a phase built is never timed. Prints a table and one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "convo/core/event_list.hpp"
#include "convo/core/json.hpp"
#include "convo/core/tracker.hpp"

namespace {

using convo::Json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `once` (which returns the seconds it measured) `runs` times; the best time wins.
double best_of(int runs, const std::function<double()>& once) {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < runs; ++i) best = std::min(best, once());
  return best;
}

// Keeps the optimiser from discarding a result.
volatile std::size_t g_sink = 0;

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

convo::ParseContext fixed_context() {
  return convo::ParseContext{[] { return 1630000000.0; }, [] { return std::string("bench"); }};
}

convo::ParsedEvents parse_checked(const Json& doc, const convo::ParseContext& ctx) {
  convo::ParsedEvents parsed = convo::parse_events(doc, ctx);
  if (!parsed.ok()) {
    std::fprintf(stderr, "convo_bench_tracker: the event list does not load: %s\n",
                 parsed.errors.front().c_str());
    std::exit(1);
  }
  return parsed;
}

struct ApplyResult {
  double seconds = std::numeric_limits<double>::infinity();  // best complete run, or the partial
  std::size_t applied = 0;                                   // events update()d in that run
  std::size_t offered = 0;                                   // events it was meant to update()
  bool complete = true;
};

bool is_revert(const convo::Event& e) {
  return e.type == convo::EventType::Rewind || e.type == convo::EventType::Undo;
}

// Times update() of every parsed event (or all but rewind/undo) into a fresh tracker, best of
// `runs`; a run longer than `budget_s` (0: unlimited) stops there and ends the measurement.
ApplyResult time_apply(const Json& doc, const convo::ParseContext& ctx, int runs, double budget_s,
                       bool with_reverts, std::unique_ptr<convo::Tracker>& tracker) {
  ApplyResult best;
  for (int run = 0; run < runs; ++run) {
    convo::ParsedEvents parsed = parse_checked(doc, ctx);
    std::vector<convo::EventPtr> events;
    events.reserve(parsed.events.size());
    for (auto& e : parsed.events)
      if (with_reverts || !is_revert(*e)) events.push_back(std::move(e));
    parsed.events.clear();
    tracker.reset();
    auto t = std::make_unique<convo::Tracker>("bench");
    ApplyResult r;
    r.offered = events.size();
    auto t0 = Clock::now();
    for (const auto& e : events) {
      if (auto err = t->update(e)) {
        std::fprintf(stderr, "convo_bench_tracker: apply failed: %s\n", err->message.c_str());
        std::exit(1);
      }
      ++r.applied;
      if (budget_s > 0 && (r.applied & 1023) == 0 && seconds_since(t0) > budget_s) {
        r.complete = false;
        break;
      }
    }
    r.seconds = seconds_since(t0);
    tracker = std::move(t);
    if (!r.complete) return r;
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

struct Row {
  std::string phase;
  std::string what;
  double seconds;
  double events;  // the events and bytes the rate columns are computed from
  double bytes;
};

void print_table(const std::vector<Row>& rows) {
  std::printf("%-15s %-40s %9s %12s %8s\n", "phase", "what", "best s", "events/s", "MB/s");
  for (const Row& r : rows) {
    std::printf("%-15s %-40s %9.3f %12.0f %8.1f\n", r.phase.c_str(), r.what.c_str(), r.seconds,
                r.events / r.seconds, r.bytes / 1e6 / r.seconds);
  }
}

// A JSON number, or null for a phase that did not run to the end.
Json seconds_or_null(double s, bool complete) { return complete ? Json(s) : Json(nullptr); }

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int runs = 3;
  double apply_budget = 60;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--apply-budget") == 0 && i + 1 < argc) {
      apply_budget = std::max(0.0, std::atof(argv[++i]));
    } else if (path.empty() && argv[i][0] != '-') {
      path = argv[i];
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: convo_bench_tracker FILE [--runs K] [--apply-budget SECONDS]\n");
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "convo_bench_tracker: cannot read %s\n", path.c_str());
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const double in_bytes = static_cast<double>(bytes.size());
  const convo::ParseContext ctx = fixed_context();

  // floor: the JSON parser alone.
  double floor_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    Json doc = Json::parse(bytes);
    double s = seconds_since(t0);
    g_sink = g_sink + doc.size();
    return s;
  });
  double floor_unordered_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    nlohmann::json doc = nlohmann::json::parse(bytes);
    double s = seconds_since(t0);
    g_sink = g_sink + doc.size();
    return s;
  });

  // parse: JSON text to events, the whole read path.
  std::size_t events = 0;
  double parse_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    Json doc = Json::parse(bytes);
    convo::ParsedEvents parsed = parse_checked(doc, ctx);
    double s = seconds_since(t0);
    events = parsed.events.size();
    return s;
  });

  // codec: parse_events alone on a parsed document.
  const Json doc = Json::parse(bytes);
  double codec_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    convo::ParsedEvents parsed = parse_checked(doc, ctx);
    double s = seconds_since(t0);
    g_sink = g_sink + parsed.events.size();
    return s;
  });

  // apply: every run on freshly parsed events (apply may mutate an event, as Rasa's does). A run
  // that exceeds the budget stops there and is reported as partial; no further runs are made.
  // apply_norevert is the same without the rewind and undo events, whose replay is where the
  // cost of a long tracker goes: it measures the per-event path on every event list.
  std::unique_ptr<convo::Tracker> tracker;
  ApplyResult apply = time_apply(doc, ctx, runs, apply_budget, true, tracker);
  std::unique_ptr<convo::Tracker> tracker_norevert;
  ApplyResult apply_norevert = time_apply(doc, ctx, runs, 0, false, tracker_norevert);
  if (!apply.complete) tracker = std::move(tracker_norevert);
  tracker_norevert.reset();

  // serialise: the tracker's full state to JSON text.
  std::size_t out_bytes = 0;
  double state_s = std::numeric_limits<double>::infinity();
  double dump_s = std::numeric_limits<double>::infinity();
  double serialise_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    Json state = tracker->current_state(convo::Verbosity::All);
    auto t1 = Clock::now();
    std::string text = state.dump();
    auto t2 = Clock::now();
    out_bytes = text.size();
    state_s = std::min(state_s, std::chrono::duration<double>(t1 - t0).count());
    dump_s = std::min(dump_s, std::chrono::duration<double>(t2 - t1).count());
    return std::chrono::duration<double>(t2 - t0).count();
  });
  std::size_t state_json_bytes = 0;
  double state_json_s = best_of(runs, [&] {
    auto t0 = Clock::now();
    std::string text = tracker->state_json(convo::Verbosity::All);
    double s = seconds_since(t0);
    state_json_bytes = text.size();
    return s;
  });
  const double out = static_cast<double>(out_bytes);

  const double n = static_cast<double>(events);
  const double per_event = in_bytes / n;
  std::printf("%zu events, %.1f MB (%.0f bytes/event), best of %d runs\n", events, in_bytes / 1e6,
              per_event, runs);
  std::printf("MB/s is of the input bytes, but for state/dump/serialise: of the output JSON "
              "(%.1f MB)\n\n", out / 1e6);
  std::string apply_what = "Tracker::update x events";
  if (!apply.complete) {
    apply_what = "PARTIAL: " + std::to_string(apply.applied) + " of " +
                 std::to_string(apply.offered) + " events";
  }
  const double norevert_n = static_cast<double>(apply_norevert.applied);
  const double out_n = static_cast<double>(tracker->events().size());
  print_table({{"floor", "ordered_json::parse", floor_s, n, in_bytes},
               {"floor", "nlohmann::json::parse (reference)", floor_unordered_s, n, in_bytes},
               {"parse", "Json::parse + parse_events", parse_s, n, in_bytes},
               {"codec", "parse_events only", codec_s, n, in_bytes},
               {"apply", apply_what, apply.seconds, static_cast<double>(apply.applied),
                per_event * static_cast<double>(apply.applied)},
               {"apply_norevert", "the same without rewind/undo events", apply_norevert.seconds,
                norevert_n, per_event * norevert_n},
               {"state", "current_state(All)", state_s, out_n, out},
               {"dump", "dump() of the state", dump_s, out_n, out},
               {"serialise", "current_state(All) + dump()", serialise_s, out_n, out},
               {"state_json", "state_json(All), no Json built", state_json_s, out_n,
                static_cast<double>(state_json_bytes)}});
  std::printf("\nparse/floor ratio: %.2f (parse_events alone costs %.0f%% of the JSON parse)\n",
              parse_s / floor_s, 100.0 * codec_s / floor_s);
  if (!apply.complete) {
    std::printf("apply stopped at its %.0f s budget (--apply-budget); serialise ran on the "
                "tracker without rewind/undo (%zu events)\n", apply_budget, apply_norevert.applied);
  }
  std::printf("peak RSS: %.0f MB\n\n", static_cast<double>(peak_rss_kib()) / 1024.0);

  Json line = Json::object();
  line["events"] = events;
  line["bytes"] = bytes.size();
  line["runs"] = runs;
  line["floor_s"] = floor_s;
  line["floor_unordered_s"] = floor_unordered_s;
  line["parse_s"] = parse_s;
  line["codec_s"] = codec_s;
  line["apply_s"] = seconds_or_null(apply.seconds, apply.complete);
  line["apply_complete"] = apply.complete;
  line["apply_events_done"] = apply.applied;
  if (!apply.complete) line["apply_partial_s"] = apply.seconds;
  line["apply_norevert_s"] = apply_norevert.seconds;
  line["apply_norevert_events"] = apply_norevert.applied;
  line["state_s"] = state_s;
  line["dump_s"] = dump_s;
  line["serialise_s"] = serialise_s;
  line["serialised_events"] = tracker->events().size();
  line["state_json_s"] = state_json_s;
  line["out_bytes"] = out_bytes;
  line["parse_over_floor"] = parse_s / floor_s;
  line["peak_rss_kib"] = peak_rss_kib();
  std::printf("%s\n", line.dump().c_str());
  return 0;
}
