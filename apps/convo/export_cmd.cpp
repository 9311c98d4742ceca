// convo export: stored events to the configured event broker, like `rasa export` (brokers spec
// §11), streamed per conversation with the time window in SQL and only confirmed messages counted.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "convo/core/broker_message.hpp"

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

std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string id;
  while (std::getline(in, id, ','))
    if (!id.empty()) out.push_back(id);
  return out;
}

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

struct Totals {
  std::size_t conversations = 0, events = 0, published = 0;
};

int run_export(const ExportOptions& opt) {
  if (opt.since && opt.until && *opt.until < *opt.since)
    return report(usage_error("--until must not be before --since"));
  std::string resume_id;
  std::size_t resume_skip = 0;
  if (!opt.resume_after.empty()) {
    auto colon = opt.resume_after.rfind(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      resume_id = opt.resume_after.substr(0, colon);
      resume_skip = std::stoul(opt.resume_after.substr(colon + 1));
    } catch (const std::exception&) {
      return report(usage_error("--resume-after: expected CONVERSATION:N, got '" + opt.resume_after + "'"));
    }
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

  auto listed = (*store)->list(ListOptions{});
  if (!listed) return report(listed.error());
  std::vector<std::string> ids;
  for (const auto& c : *listed) ids.push_back(c.sender_id);
  if (ids.empty()) return report(runtime_error("the store " + (*store)->describe() + " holds no conversations"));
  if (!opt.conversation_ids.empty()) {
    std::set<std::string> wanted;
    for (const auto& id : split_ids(opt.conversation_ids)) wanted.insert(id);
    std::set<std::string> present(ids.begin(), ids.end());
    for (const auto& id : wanted)
      if (!present.count(id)) warn("conversation '" + id + "' is not in the store; skipped");
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](const std::string& id) { return !wanted.count(id); }),
              ids.end());
    if (ids.empty()) return report(runtime_error("none of the requested conversations is in the store"));
  }
  if (!resume_id.empty())
    ids.erase(ids.begin(), std::lower_bound(ids.begin(), ids.end(), resume_id));

  if (!opt.dry_run) {
    if (auto err = (**broker).connect()) return report(*err);
  }
  std::string export_id = system_parse_context().new_uuid();
  export_id.erase(std::remove(export_id.begin(), export_id.end(), '-'), export_id.end());
  const auto ctx = system_parse_context();
  Totals totals;
  for (const auto& id : ids) {
    LoadOptions load;
    load.all_sessions = true;
    load.since = opt.since;
    load.before = opt.until;
    auto conv = (*store)->load(id, load);
    if (!conv) return report(conv.error());
    if (!conv->has_value()) continue;
    for (const auto& w : (**conv).warnings) warn(id + ": " + w);
    ParsedEvents parsed = parse_events((**conv).events, ctx);
    for (const auto& e : parsed.errors) warn(id + ": " + e + "; skipped");
    std::size_t skip = id == resume_id ? std::min(resume_skip, parsed.events.size()) : 0;
    if (parsed.events.size() > skip) ++totals.conversations;
    std::vector<BrokerMessage> batch;
    for (std::size_t i = skip; i < parsed.events.size(); ++i) {
      ++totals.events;
      if (opt.dry_run) continue;
      batch.push_back({id, broker_body(id, *parsed.events[i], BodyOrder::Export), {{kExportHeader, export_id}}});
      if (batch.size() < opt.batch && i + 1 < parsed.events.size()) continue;
      PublishResult result = (**broker).publish(batch);
      totals.published += result.confirmed;
      if (result.error) {
        std::size_t done = i + 1 - batch.size() + result.confirmed;
        std::cerr << "convo: error: " << result.error->message << "\n"
                  << fmt::format("convo: published {} events before the failure; continue with:\n  {}\n",
                                 totals.published, resume_command(opt, id, done));
        return kUpstream;
      }
      batch.clear();
    }
  }
  (**broker).close();
  if (totals.events == 0) return report(runtime_error("no events in the selected conversations and time range"));
  if (want_json(opt.format)) {
    std::cout << dump_compact(Json{{"broker", (**broker).describe()},
                                   {"export_id", export_id},
                                   {"conversations", totals.conversations},
                                   {"events", totals.events},
                                   {"published", totals.published},
                                   {"dry_run", opt.dry_run}})
              << "\n";
  } else if (opt.dry_run) {
    std::cout << fmt::format("would publish {} events of {} conversations to {}\n", totals.events,
                             totals.conversations, (**broker).describe());
  } else {
    std::cout << fmt::format("published {} events of {} conversations to {} (export id {})\n", totals.published,
                             totals.conversations, (**broker).describe(), export_id);
  }
  return kOk;
}

}  // namespace

void setup_export(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Publish stored events to the configured event broker (rasa export)");
  cmd->footer(std::string(
                  "Examples:\n"
                  "  convo export --endpoints endpoints.yml\n"
                  "  convo export --store sqlite:///rasa.db --since 1628100000 --until 1628200000\n"
                  "  convo export --conversation-ids alice,bob --dry-run\n\n"
                  "The broker is endpoints.yml's event_broker; the store is --store, else its tracker_store.\n"
                  "Events are published per conversation in stored order, each with sender_id and (as\n"
                  "`rasa export` does on RabbitMQ) a rasa-export-process-id header, and counted only once the\n"
                  "broker confirmed them. On a failure convo prints the command that continues the export\n"
                  "where it stopped and exits 5.\n\n") +
              kExitCodeHelp);
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
  cmd->add_option("--batch", opt->batch, "Messages per confirmed publish")->capture_default_str()->type_name("N");
  add_format_option(*cmd, opt->format);
  cmd->callback([opt, &exit_code] { exit_code = run_export(*opt); });
}

}  // namespace convo::cli
