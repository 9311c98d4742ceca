// convo tracker show: the tracker state Rasa would build from an event list, as JSON or timeline.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli.hpp"
#include "convo/core/tracker_builder.hpp"
#include "convo/io/event_source.hpp"
#include "convo/io/file.hpp"
#include "convo/render/timeline.hpp"

namespace convo::cli {
namespace {

struct TrackerShowOptions {
  std::string events_path;
  std::string domain_path;
  std::string include_events = "ALL";
  Format format = Format::Auto;
  std::string sender_id;
  std::optional<std::size_t> max_event_history;
  std::optional<double> until;
};

int run_tracker_show(const TrackerShowOptions& opt) {
  auto text = read_text_file(opt.events_path);
  if (!text) return report(text.error());
  const std::string source = opt.events_path == "-" ? "<stdin>" : opt.events_path;
  auto input = parse_event_input(*text, source);
  if (!input) return report(input.error());
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());

  std::string sender = !opt.sender_id.empty() ? opt.sender_id : input->sender_id.value_or("default");
  BuildOptions build;
  build.max_event_history = opt.max_event_history;
  build.until = opt.until;
  ParseContext ctx = system_parse_context();
  BuildReport built = inspect_events(sender, input->events, *domain, build, ctx);
  if (!built.ok()) {
    for (std::size_t i = 1; i < built.errors.size(); ++i) warn(source + ": " + built.errors[i]);
    return report(runtime_error(source + ": " + built.errors.front() +
                                (built.errors.size() > 1 ? " (see the other problems above)"
                                                         : "")));
  }
  for (const auto& w : built.warnings) warn(source + ": " + w);

  Verbosity verbosity = *parse_verbosity(opt.include_events);
  if (want_json(opt.format)) {
    std::cout << dump_compact(built.tracker->current_state(verbosity)) << "\n";
  } else {
    TimelineOptions tl;
    tl.verbosity = verbosity == Verbosity::None ? Verbosity::All : verbosity;
    std::cout << render_timeline(*built.tracker, tl, style_for_fd(STDOUT_FILENO));
  }
  return std::cout.good() ? kOk : report(runtime_error("writing the output failed"));
}

}  // namespace

static void add_verbosity_option(CLI::App& cmd, std::string& target) {
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

void setup_tracker(CLI::App& app, int& exit_code) {
  CLI::App* tracker = app.add_subcommand("tracker", "Inspect conversation trackers");
  tracker->require_subcommand(1);
  tracker->footer(kExitCodeHelp);

  auto opt = std::make_shared<TrackerShowOptions>();
  CLI::App* show = tracker->add_subcommand(
      "show", "Show the tracker Rasa builds from an event list: state JSON or a timeline");
  show->footer(std::string(
      "Examples:\n"
      "  convo tracker show --events conversation.json\n"
      "  convo tracker show --events dump.ndjson --domain domain.yml -o table\n"
      "  curl -s localhost:5005/conversations/u1/tracker | convo tracker show --events - -o json\n"
      "  convo tracker show --events t.json --include-events APPLIED -o json | jq .slots\n\n") +
      kExitCodeHelp);
  show->add_option("--events", opt->events_path,
                   "Events: a JSON array, a tracker object with \"events\", or NDJSON; - for stdin")
      ->required()
      ->type_name("FILE");
  show->add_option("--domain", opt->domain_path, "domain.yml: its slots and their initial values")
      ->type_name("FILE");
  add_verbosity_option(*show, opt->include_events);
  add_format_option(*show, opt->format);
  show->add_option("--sender-id", opt->sender_id,
                   "Conversation id to report (default: the tracker's own, else \"default\")")
      ->type_name("ID");
  show->add_option("--max-event-history", opt->max_event_history,
                   "Keep only the last N events, as Rasa's max_event_history")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  show->add_option("--until", opt->until,
                   "State as of this epoch time (Rasa's ?until=): stops at the first later event")
      ->type_name("TS");
  show->callback([opt, &exit_code] { exit_code = run_tracker_show(*opt); });
}

}  // namespace convo::cli
