#include <fmt/format.h>
// Helpers every command family shares: reading events, validating before storing, printing.
#include <unistd.h>

#include <iostream>

#include "cli.hpp"
#include "convo/io/file.hpp"
#include "convo/render/timeline.hpp"

namespace convo::cli {

Result<EventInput> read_event_input(const std::string& path, std::string& source, const ParseContext* decode_arrays) {
  source = path == "-" ? "<stdin>" : path;
  auto text = read_file_text(path);
  if (!text) return text.error();
  return parse_event_input(text->view(), source, decode_arrays);
}

Result<std::vector<EventPtr>> parse_for_storing(const Json& events, const std::string& source,
                                                std::shared_ptr<const Domain> domain) {
  auto prepared = prepare_events(events, source, std::move(domain));
  if (!prepared) return prepared.error();
  warn_all(prepared->warnings);
  return std::move(prepared->events);
}

Result<double> duration_option(const std::string& flag, const std::string& text) {
  if (auto seconds = parse_duration(text)) return *seconds;
  return usage_error(flag + ": expected a duration such as 30s, 2m or 500ms, got '" + text + "'");
}

void add_verbosity_option(CLI::App& cmd, std::string& target) {
  cmd.add_option("--include-events", target,
                 "Which events to include: NONE, APPLIED, AFTER_RESTART or ALL (any case)")
      ->check(CLI::Validator(
          [](std::string& v) {
            return parse_verbosity(v) ? std::string()
                                      : "must be one of NONE, APPLIED, AFTER_RESTART, ALL";
          },
          "", "verbosity"))
      ->type_name("NONE|APPLIED|AFTER_RESTART|ALL")
      ->capture_default_str();
}

int print_write_result(Format format, const std::string& verb, const std::string& sender,
                       std::size_t count, const std::string& where) {
  if (want_json(format)) {
    std::cout << dump_compact(Json{{"sender_id", sender}, {verb, count}, {"store", where}}) << "\n";
  } else {
    std::cout << fmt::format("{} {} event{} {} conversation '{}' in {}\n", verb, count,
                             count == 1 ? "" : "s", verb == "appended" ? "to" : "for", sender, where);
  }
  return kOk;
}

int print_tracker(const Tracker& tracker, const TrackerView& view) {
  if (want_json(view.format)) {
    auto write = [](std::string_view part) { std::cout.write(part.data(), static_cast<std::streamsize>(part.size())); };
    if (view.verbosity != Verbosity::None && (!view.types.empty() || view.tail)) {
      auto chosen = select_events(tracker.events_for(view.verbosity), view.types, view.tail);
      tracker.write_state_json(view.verbosity, &chosen, write);
    } else {
      tracker.write_state_json(view.verbosity, nullptr, write);
    }
    std::cout << "\n";
  } else {
    TimelineOptions tl;
    tl.verbosity = view.verbosity == Verbosity::None ? Verbosity::All : view.verbosity;
    tl.types = view.types;
    tl.tail = view.tail;
    std::cout << render_timeline(tracker, tl, style_for_fd(STDOUT_FILENO));
  }
  std::cout.flush();
  return std::cout.good() ? kOk : report(runtime_error("writing the output failed"));
}

}  // namespace convo::cli
