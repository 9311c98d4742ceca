// convo export: stored events to the configured event broker, like `rasa export` (brokers spec
// §11), streamed per conversation with the time window in SQL and only confirmed messages counted.
#include <fmt/format.h>

#include <iostream>
#include <tuple>

#include "cli.hpp"
#include "convo/pipeline/export.hpp"

namespace convo::cli {
namespace {

struct ExportOptions {
  std::string store, endpoints = "endpoints.yml";
  std::optional<double> since, until;
  std::string conversation_ids, resume_after;
  bool dry_run = false;
  std::size_t batch = 500;
  Format format = Format::Auto;
};

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/=+@") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command that continues an interrupted export after `done` events of conversation `id`.
std::string resume_command(const ExportOptions& opt, const std::string& id, std::size_t done) {
  std::string cmd = "convo export --endpoints " + shell_quote(opt.endpoints);
  if (!opt.store.empty()) cmd += " --store " + shell_quote(opt.store);
  if (opt.since) cmd += " --since " + python_float_repr(*opt.since);
  if (opt.until) cmd += " --until " + python_float_repr(*opt.until);
  if (!opt.conversation_ids.empty()) cmd += " --conversation-ids " + shell_quote(opt.conversation_ids);
  return cmd + " --resume-after " + shell_quote(id + ":" + std::to_string(done));
}

int run_export(const ExportOptions& opt) {
  ExportRequest request;
  request.conversation_ids = split_nonempty(opt.conversation_ids, ',');
  request.since = opt.since;
  request.until = opt.until;
  request.dry_run = opt.dry_run;
  request.batch = opt.batch;
  if (!opt.resume_after.empty()) {
    auto point = parse_resume_point(opt.resume_after);
    if (!point) return report(point.error());
    std::tie(request.resume_id, request.resume_skip) = *point;
  }
  auto endpoints = load_endpoints_file(opt.endpoints);
  if (!endpoints) return report(endpoints.error());
  if (opt.store.empty() && endpoints->tracker_store.is_null())
    return report(usage_error(opt.endpoints + " has no tracker_store section; give the store with --store"));
  auto store = opt.store.empty() ? open_endpoints_store(*endpoints, StoreAccess::ReadOnly)
                                 : open_store(opt.store, StoreAccess::ReadOnly);
  if (!store) return report(store.error());
  auto broker = open_broker_option(*endpoints);
  if (!broker) return report(broker.error());
  if (!*broker) return report(usage_error(opt.endpoints + " has no event_broker section: nowhere to export to"));

  ExportReport done = run_export(**store, **broker, request, system_parse_context());
  warn_all(done.warnings);
  if (done.error && !done.failed_conversation.empty()) {
    report(*done.error);
    std::cerr << fmt::format("convo: published {} events before the failure; continue with:\n  {}\n", done.published,
                             resume_command(opt, done.failed_conversation, done.failed_done));
    return kUpstream;
  }
  if (done.error) return report(*done.error);
  if (want_json(opt.format)) {
    std::cout << dump_compact(Json{{"broker", (**broker).describe()},
                                   {"export_id", done.export_id},
                                   {"conversations", done.conversations},
                                   {"events", done.events},
                                   {"published", done.published},
                                   {"dry_run", opt.dry_run}})
              << "\n";
  } else if (opt.dry_run) {
    std::cout << fmt::format("would publish {} events of {} conversations to {}\n", done.events, done.conversations,
                             (**broker).describe());
  } else {
    std::cout << fmt::format("published {} events of {} conversations to {} (export id {})\n", done.published,
                             done.conversations, (**broker).describe(), done.export_id);
  }
  return kOk;
}

}  // namespace

void setup_export(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Publish stored events to the configured event broker (rasa export)");
  set_examples(*cmd, {"convo export --endpoints endpoints.yml",
      "convo export --store sqlite:///rasa.db --since 1628100000 --until 1628200000",
      "convo export --conversation-ids alice,bob --dry-run"}, "The broker is endpoints.yml's event_broker; the store is --store, else its tracker_store.\n"
      "Events are published per conversation in stored order, each with sender_id and (as\n"
      "`rasa export` does on RabbitMQ) a rasa-export-process-id header, and counted only once the\n"
      "broker confirmed them. On a failure convo prints the command that continues the export\n"
      "where it stopped and exits 5.");
  cmd->add_option("--endpoints", opt->endpoints, "endpoints.yml with the event_broker (and tracker_store) section")
      ->capture_default_str()
      ->type_name("FILE");
  cmd->add_option("--store", opt->store, "Read from this store instead of endpoints.yml's tracker_store")->type_name("URL");
  cmd->add_option("--since,--minimum-timestamp", opt->since, "Only events with timestamp >= TS")->type_name("TS");
  cmd->add_option("--until,--maximum-timestamp", opt->until, "Only events with timestamp < TS")->type_name("TS");
  cmd->add_option("--conversation-ids", opt->conversation_ids, "Only these conversations (comma-separated)")
      ->type_name("ID,...");
  cmd->add_option("--resume-after", opt->resume_after,
                  "Continue an interrupted export: skip conversations before ID and the first N events of ID")
      ->type_name("ID:N");
  cmd->add_flag("--dry-run", opt->dry_run, "Count what would be published; publish nothing");
  cmd->add_option("--batch", opt->batch, "Messages per confirmed publish")->capture_default_str()->check(CLI::PositiveNumber)->type_name("N");
  add_format_option(*cmd, opt->format);
  cmd->callback([opt, &exit_code] { exit_code = run_export(*opt); });
}

}  // namespace convo::cli
