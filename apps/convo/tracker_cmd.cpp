// convo tracker show|get: the tracker Rasa builds from events, from a file or from a store.
#include <variant>
#include <algorithm>
#include <iostream>

#include "cli.hpp"
#include "convo/core/tracker_builder.hpp"
#include "convo/sys/heap.hpp"

namespace convo::cli {
namespace {

struct ReadOptions {
  std::string sender_id;      // SENDER (store) or --sender-id (file)
  std::string events_path;    // show --events FILE
  std::string domain_path;
  std::string include_events = "ALL";
  std::string types;          // show --type user,bot
  std::optional<std::size_t> tail;
  std::optional<std::size_t> max_event_history;
  std::optional<double> until;
  bool all_sessions = false;
  Format format = Format::Auto;
  StoreOptions store;
};

// The events and sender to build from: the file given, or the conversation in the store (a
// database, or a server's tracker with every event).
// A file's events are a JSON value, or already decoded (a JSON array); a store's are texts.
struct Gathered {
  std::string sender;
  std::variant<Json, EventTexts, ParsedEvents> events;
};

Result<Gathered> gather_events(const ReadOptions& opt, TrackerStore* store, std::string& source,
                               const ParseContext& ctx) {
  if (!store) {
    auto input = read_event_input(opt.events_path, source, &ctx);
    if (!input) return input.error();
    std::string sender = !opt.sender_id.empty() ? opt.sender_id : input->sender_id.value_or("default");
    if (input->decoded) return Gathered{sender, std::move(*input->decoded)};
    return Gathered{sender, std::move(input->events)};
  }
  LoadOptions load;
  load.all_sessions = opt.all_sessions;
  load.decode = &ctx;
  auto conv = store->load(opt.sender_id, load);
  if (!conv) return conv.error();
  if (!conv->has_value())
    return not_found_error("conversation '" + opt.sender_id + "' not found in " + store->describe());
  source = store->describe() + " conversation '" + opt.sender_id + "'";
  for (const auto& w : (**conv).warnings) warn(source + ": " + w);
  if ((**conv).decoded) return Gathered{opt.sender_id, std::move(*(**conv).decoded)};
  return Gathered{opt.sender_id, std::move((**conv).events)};
}

int run_read(const ReadOptions& opt) {
  if (opt.events_path.empty() && opt.sender_id.empty())
    return report(usage_error("give a conversation id (read from the store) or --events FILE"));
  std::unique_ptr<TrackerStore> store;
  if (opt.events_path.empty()) {
    auto opened = open_store_option(opt.store, StoreAccess::ReadOnly);
    if (!opened) return report(opened.error());
    store = std::move(*opened);
  }
  const Verbosity verbosity = *parse_verbosity(opt.include_events);
  if (store && want_json(opt.format) && !opt.all_sessions) {
    // A store that answers the tracker JSON itself (a server, for its own domain): exactly that.
    auto own = store->tracker_json(opt.sender_id, verbosity_name(verbosity), opt.until);
    if (!own) return report(own.error());
    if (own->has_value()) {
      Json state = Json::parse(**own);
      if (state.contains("events")) state["events"] = select_events(std::move(state["events"]), split_nonempty(opt.types, ','), opt.tail);
      std::cout << dump_compact(state) << "\n";
      return kOk;
    }
  }
  std::string source;
  const ParseContext ctx = system_parse_context();
  auto gathered = gather_events(opt, store.get(), source, ctx);
  if (!gathered) return report(gathered.error());
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());

  BuildOptions build;
  build.max_event_history = opt.max_event_history;
  build.until = opt.until;
  BuildReport built = std::visit(
      [&](auto& events) { return inspect_events(gathered->sender, std::move(events), *domain, build, ctx); },
      gathered->events);
  if (!built.ok()) {
    for (std::size_t i = 1; i < built.errors.size(); ++i) warn(source + ": " + built.errors[i]);
    return report(runtime_error(source + ": " + built.errors.front() +
                                (built.errors.size() > 1 ? " (see the other problems above)" : "")));
  }
  for (const auto& w : built.warnings) warn(source + ": " + w);
  TrackerView view;
  view.verbosity = verbosity;
  view.types = split_nonempty(opt.types, ',');
  view.tail = opt.tail;
  view.format = opt.format;
  const int code = print_tracker(*built.tracker, view);
  sys::keep_until_exit(std::move(built.tracker));  // the command ends: not freed event by event
  return code;
}

void add_common_read_options(CLI::App& cmd, ReadOptions& opt) {
  cmd.add_option("--domain", opt.domain_path, "domain.yml: its slots and their initial values")
      ->type_name("FILE");
  add_verbosity_option(cmd, opt.include_events);
  add_format_option(cmd, opt.format);
  cmd.add_flag("--all-sessions", opt.all_sessions,
                 "Read every session of a stored conversation (default: the last one, as Rasa)");
  cmd.add_option("--until", opt.until,
                 "State as of this epoch time (Rasa's ?until=): stops at the first later event")
      ->type_name("TS");
  add_store_options(cmd, opt.store);
  add_server_options(cmd, opt.store);
}

}  // namespace

void setup_tracker(CLI::App& app, int& exit_code) {
  CLI::App* tracker = app.add_subcommand("tracker", "Inspect, store and move conversation trackers");
  tracker->require_subcommand(1);
  tracker->footer(kExitCodeHelp);

  auto show_opt = std::make_shared<ReadOptions>();
  CLI::App* show = tracker->add_subcommand(
      "show", "Show a conversation as a timeline or Rasa's tracker JSON, from a store or a file");
  set_examples(*show, {"convo tracker show alice                       # from sqlite:///rasa.db",
      "convo tracker show alice --store sqlite:///bot/rasa.db --tail 20 --type user,bot",
      "convo tracker show --events conversation.json --domain domain.yml",
      "curl -s localhost:5005/conversations/u1/tracker | convo tracker show --events - -o json"});
  show->add_option("sender", show_opt->sender_id, "Conversation id in the store")->type_name("SENDER");
  show->add_option("--events", show_opt->events_path,
                   "Read events from FILE instead of a store: a JSON array, a tracker object or NDJSON; - for stdin")
      ->type_name("FILE");
  show->add_option("--sender-id", show_opt->sender_id,
                   "Conversation id to report for --events (default: the tracker's own, else \"default\")")
      ->type_name("ID");
  show->add_option("--type", show_opt->types, "Only these event types, comma-separated (user,bot,action,slot,...)")
      ->type_name("TYPES");
  show->add_option("--tail", show_opt->tail, "Only the last N of the chosen events")->type_name("N");
  show->add_option("--max-event-history", show_opt->max_event_history,
                   "Keep only the last N events, as Rasa's max_event_history")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  add_common_read_options(*show, *show_opt);
  show->callback([show_opt, &exit_code] { exit_code = run_read(*show_opt); });

  auto get_opt = std::make_shared<ReadOptions>();
  CLI::App* get = tracker->add_subcommand(
      "get", "Print a stored conversation as Rasa's tracker JSON (GET /conversations/{id}/tracker)");
  set_examples(*get, {"convo tracker get alice",
      "convo tracker get alice --store sqlite:///rasa.db --include-events APPLIED | jq .slots",
      "convo tracker get alice --endpoints endpoints.yml --all-sessions -o table"});
  get->add_option("sender", get_opt->sender_id, "Conversation id")->required()->type_name("SENDER");
  add_common_read_options(*get, *get_opt);
  get->callback([get_opt, &exit_code] { exit_code = run_read(*get_opt); });

  setup_tracker_writes(*tracker, exit_code);
}

}  // namespace convo::cli
