// convo tracker show|get: the tracker Rasa builds from events, from a file or from a store.
#include <algorithm>
#include <iostream>

#include "cli.hpp"
#include "convo/core/tracker_builder.hpp"

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

std::vector<std::string> split_types(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The events and sender to build from: the file given, or the conversation in the store.
Result<std::pair<std::string, Json>> gather_events(const ReadOptions& opt, std::string& source) {
  if (!opt.events_path.empty()) {
    auto input = read_event_input(opt.events_path, source);
    if (!input) return input.error();
    std::string sender = !opt.sender_id.empty() ? opt.sender_id : input->sender_id.value_or("default");
    return std::make_pair(sender, std::move(input->events));
  }
  if (!server_url(opt.store).empty()) {
    // The server's own tracker, with every event, rebuilt here for the timeline.
    auto state = remote_get_tracker(opt.store, opt.sender_id, Verbosity::All, opt.until);
    if (!state) return state.error();
    source = server_url(opt.store) + " conversation '" + opt.sender_id + "'";
    return std::make_pair(opt.sender_id, (*state)["events"].is_array() ? (*state)["events"] : Json::array());
  }
  auto store = open_store_option(opt.store, StoreAccess::ReadOnly);
  if (!store) return store.error();
  LoadOptions load;
  load.all_sessions = opt.all_sessions;
  auto conv = (*store)->load(opt.sender_id, load);
  if (!conv) return conv.error();
  if (!conv->has_value())
    return not_found_error("conversation '" + opt.sender_id + "' not found in " + (*store)->describe());
  source = (*store)->describe() + " conversation '" + opt.sender_id + "'";
  for (const auto& w : (**conv).warnings) warn(source + ": " + w);
  return std::make_pair(opt.sender_id, std::move((**conv).events));
}

// JSON from a server: exactly what it answers, for the verbosity asked (filtered by --type/--tail).
int print_remote_state(const ReadOptions& opt) {
  auto state = remote_get_tracker(opt.store, opt.sender_id, *parse_verbosity(opt.include_events), opt.until);
  if (!state) return report(state.error());
  if (state->contains("events")) (*state)["events"] = select_events(std::move((*state)["events"]), split_types(opt.types), opt.tail);
  std::cout << dump_compact(*state) << "\n";
  return kOk;
}

int run_read(const ReadOptions& opt) {
  if (opt.events_path.empty() && opt.sender_id.empty())
    return report(usage_error("give a conversation id (read from the store) or --events FILE"));
  const bool remote = opt.events_path.empty() && !server_url(opt.store).empty();
  if (remote && opt.all_sessions)
    return report(usage_error("--all-sessions is not available with --url: Rasa's API serves the last session"));
  if (remote && want_json(opt.format)) return print_remote_state(opt);
  std::string source;
  auto gathered = gather_events(opt, source);
  if (!gathered) return report(gathered.error());
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());

  BuildOptions build;
  build.max_event_history = opt.max_event_history;
  if (!remote) build.until = opt.until;  // the server already cut at --until
  BuildReport built = inspect_events(gathered->first, gathered->second, *domain, build, system_parse_context());
  if (!built.ok()) {
    for (std::size_t i = 1; i < built.errors.size(); ++i) warn(source + ": " + built.errors[i]);
    return report(runtime_error(source + ": " + built.errors.front() +
                                (built.errors.size() > 1 ? " (see the other problems above)" : "")));
  }
  for (const auto& w : built.warnings) warn(source + ": " + w);
  TrackerView view;
  view.verbosity = *parse_verbosity(opt.include_events);
  view.types = split_types(opt.types);
  view.tail = opt.tail;
  view.format = opt.format;
  return print_tracker(*built.tracker, view);
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
  show->footer(std::string(
      "Examples:\n"
      "  convo tracker show alice                       # from sqlite:///rasa.db\n"
      "  convo tracker show alice --store sqlite:///bot/rasa.db --tail 20 --type user,bot\n"
      "  convo tracker show --events conversation.json --domain domain.yml\n"
      "  curl -s localhost:5005/conversations/u1/tracker | convo tracker show --events - -o json\n\n") +
      kExitCodeHelp);
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
  get->footer(std::string(
      "Examples:\n"
      "  convo tracker get alice\n"
      "  convo tracker get alice --store sqlite:///rasa.db --include-events APPLIED | jq .slots\n"
      "  convo tracker get alice --endpoints endpoints.yml --all-sessions -o table\n\n") +
      kExitCodeHelp);
  get->add_option("sender", get_opt->sender_id, "Conversation id")->required()->type_name("SENDER");
  add_common_read_options(*get, *get_opt);
  get->callback([get_opt, &exit_code] { exit_code = run_read(*get_opt); });

  setup_tracker_writes(*tracker, exit_code);
}

}  // namespace convo::cli
