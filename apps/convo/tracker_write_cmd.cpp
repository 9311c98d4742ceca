// convo tracker put|list|dump|load: replace, list and move conversations between stores.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include "cli.hpp"
#include "convo/render/conversation_table.hpp"
#include "convo/render/style.hpp"

namespace convo::cli {
namespace {

struct PutOptions {
  std::string sender_id;
  std::string path = "-";
  std::string domain_path;
  Format format = Format::Auto;
  StoreOptions store;
};


int run_put(const PutOptions& opt) {
  std::string source;
  auto input = read_event_input(opt.path, source);
  if (!input) return report(input.error());
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());
  auto events = parse_for_storing(input->events, source, *domain);
  if (!events) return report(events.error());
  auto pipeline = open_write_pipeline(opt.store);
  if (!pipeline) return report(pipeline.error());
  if (auto err = (**pipeline).conversations()->replace(opt.sender_id, *events)) return report(*err);
  finish_writes(**pipeline);
  return print_write_result(opt.format, "replaced", opt.sender_id, events->size(), (**pipeline).store().describe());
}

struct ListOptions2 {
  std::optional<double> since, until;
  Format format = Format::Auto;
  StoreOptions store;
};

int run_list(const ListOptions2& opt) {
  auto store = open_store_option(opt.store, StoreAccess::ReadOnly);
  if (!store) return report(store.error());
  ListOptions filter;
  filter.since = opt.since;
  filter.until = opt.until;
  auto listed = (*store)->list(filter);
  if (!listed) return report(listed.error());
  const std::string where = (*store)->describe();
  if ((*store)->is_server()) {  // a server lists ids only
    Json ids = Json::array();
    for (const auto& c : *listed) ids.push_back(c.sender_id);
    if (want_json(opt.format)) std::cout << dump_compact(ids) << "\n";
    else for (const auto& c : *listed) std::cout << c.sender_id << "\n";
    return kOk;
  }
  if (want_json(opt.format)) {
    Json out = Json::array();
    for (const auto& c : *listed)
      out.push_back({{"sender_id", c.sender_id}, {"events", c.events},
                     {"first_event_time", c.first_event_time}, {"last_event_time", c.last_event_time}});
    std::cout << dump_compact(out) << "\n";
    return kOk;
  }
  std::cout << render_conversation_table(*listed, where, style_for_fd(STDOUT_FILENO));
  return kOk;
}

struct DumpOptions {
  std::vector<std::string> senders;
  bool last_session = false;
  std::string format = "ndjson";
  StoreOptions store;
};

// NDJSON lines shaped like Rasa's event-broker messages: {"sender_id": ..., <event keys>}.
int run_dump(const DumpOptions& opt) {
  auto store = open_store_option(opt.store, StoreAccess::ReadOnly);
  if (!store) return report(store.error());
  std::vector<std::string> senders = opt.senders;
  if (senders.empty()) {
    auto listed = (*store)->list({});
    if (!listed) return report(listed.error());
    for (const auto& c : *listed) senders.push_back(c.sender_id);
  }
  LoadOptions load;
  load.all_sessions = !opt.last_session;
  Json as_array = Json::array();
  for (const auto& sender : senders) {
    auto conv = (*store)->load(sender, load);
    if (!conv) return report(conv.error());
    if (!conv->has_value())
      return report(not_found_error("conversation '" + sender + "' not found in " + (*store)->describe()));
    for (const auto& w : (**conv).warnings) warn(sender + ": " + w);
    Json events = (**conv).events.to_json();
    if (opt.format == "json") {
      as_array.push_back({{"sender_id", sender}, {"events", std::move(events)}});
      continue;
    }
    for (const auto& e : events) {
      Json line = {{"sender_id", sender}};
      for (const auto& [k, v] : e.items()) line[k] = v;
      std::cout << dump_compact(line) << "\n";
    }
  }
  if (opt.format == "json") std::cout << dump_compact(as_array) << "\n";
  std::cout.flush();
  return std::cout.good() ? kOk : report(runtime_error("writing the output failed"));
}

struct LoadCmdOptions {
  std::string path = "-";
  bool replace = false;
  Format format = Format::Auto;
  StoreOptions store;
};

// Reads `convo tracker dump` output (either form) and stores every conversation, each in one
// transaction, after checking all of them: a bad line stores nothing.
int run_load(const LoadCmdOptions& opt) {
  std::string source;
  auto input = read_event_input(opt.path, source);
  if (!input) return report(input.error());
  std::vector<std::string> order;
  std::map<std::string, Json> by_sender;
  for (std::size_t i = 0; i < input->events.size(); ++i) {
    Json item = input->events[i];
    if (item.is_object() && item.contains("events") && item.contains("sender_id")) {  // json form
      const std::string sender = item["sender_id"].is_string() ? item["sender_id"].get<std::string>() : "";
      if (sender.empty()) return report(runtime_error(source + ": item " + std::to_string(i) + ": \"sender_id\" must be a non-empty string"));
      if (!by_sender.count(sender)) order.push_back(sender);
      auto& list = by_sender[sender];
      if (list.is_null()) list = Json::array();
      for (const auto& e : item["events"]) list.push_back(e);
      continue;
    }
    if (!item.is_object() || !item.contains("sender_id") || !item["sender_id"].is_string())
      return report(runtime_error(source + ": line " + std::to_string(i + 1) +
                                  ": expected an event with a string \"sender_id\" (as 'convo tracker dump' writes)"));
    std::string sender = item["sender_id"];
    item.erase("sender_id");
    if (!by_sender.count(sender)) order.push_back(sender);
    auto& list = by_sender[sender];
    if (list.is_null()) list = Json::array();
    list.push_back(std::move(item));
  }
  std::map<std::string, std::vector<EventPtr>> parsed;
  for (const auto& sender : order) {
    auto events = parse_for_storing(by_sender[sender], source + " (conversation '" + sender + "')", nullptr);
    if (!events) return report(events.error());
    parsed[sender] = std::move(*events);
  }
  auto pipeline = open_write_pipeline(opt.store);
  if (!pipeline) return report(pipeline.error());
  const auto& conversations = (**pipeline).conversations();
  std::size_t total = 0;
  for (const auto& sender : order) {
    auto err = opt.replace ? conversations->replace(sender, parsed[sender]) : conversations->append(sender, parsed[sender], Conversations::SessionStart::Never);
    if (err) return report(*err);
    total += parsed[sender].size();
  }
  finish_writes(**pipeline);
  const std::string where = (**pipeline).store().describe();
  if (want_json(opt.format)) {
    std::cout << dump_compact(Json{{"conversations", order.size()}, {"events", total}, {"store", where}}) << "\n";
  } else {
    std::cout << fmt::format("loaded {} events of {} conversation{} into {}\n", total, order.size(),
                             order.size() == 1 ? "" : "s", where);
  }
  return kOk;
}

}  // namespace

void setup_tracker_writes(CLI::App& tracker, int& exit_code) {
  auto put = std::make_shared<PutOptions>();
  CLI::App* put_cmd = tracker.add_subcommand("put", "Replace a stored conversation with the given events, in one transaction");
  set_examples(*put_cmd, {"convo tracker put alice fixed.json",
      "convo tracker get alice | jq '.events |= map(select(.event != \"bot\"))' | convo tracker put alice -"});
  put_cmd->add_option("sender", put->sender_id, "Conversation id")->required()->type_name("SENDER");
  put_cmd->add_option("file", put->path, "Events: JSON array, tracker object or NDJSON; - for stdin (default)")->type_name("FILE");
  put_cmd->add_option("--domain", put->domain_path, "domain.yml to check the events against")->type_name("FILE");
  add_format_option(*put_cmd, put->format);
  add_store_options(*put_cmd, put->store);
  add_server_options(*put_cmd, put->store);
  put_cmd->callback([put, &exit_code] { exit_code = run_put(*put); });

  auto list = std::make_shared<ListOptions2>();
  CLI::App* list_cmd = tracker.add_subcommand("list", "List stored conversations with event counts and first/last event times");
  set_examples(*list_cmd, {"convo tracker list",
      "convo tracker list --since 1700000000 -o json | jq -r '.[].sender_id'"});
  list_cmd->add_option("--since", list->since, "Only events at or after this epoch time")->type_name("TS");
  list_cmd->add_option("--until", list->until, "Only events at or before this epoch time")->type_name("TS");
  add_format_option(*list_cmd, list->format);
  add_store_options(*list_cmd, list->store);
  add_server_options(*list_cmd, list->store);
  list_cmd->callback([list, &exit_code] { exit_code = run_list(*list); });

  auto dump = std::make_shared<DumpOptions>();
  CLI::App* dump_cmd = tracker.add_subcommand("dump", "Write conversations as NDJSON (Rasa broker message shape) or JSON");
  set_examples(*dump_cmd, {"convo tracker dump --store postgresql://rasa:pw@db/rasa > all.ndjson",
      "convo tracker dump alice bob -o json",
      "convo tracker dump --store sqlite:///a.db | convo tracker load --store sqlite:///b.db"});
  dump_cmd->add_option("senders", dump->senders, "Conversation ids (default: all)")->type_name("SENDER...");
  dump_cmd->add_flag("--last-session", dump->last_session, "Only each conversation's last session (default: all sessions)");
  dump_cmd->add_option("-o,--output", dump->format, "ndjson: one event per line with sender_id; json: [{sender_id, events}]")
      ->check(CLI::IsMember({"ndjson", "json"}).description(""))
      ->type_name("ndjson|json");
  add_store_options(*dump_cmd, dump->store);
  dump_cmd->callback([dump, &exit_code] { exit_code = run_dump(*dump); });

  auto load = std::make_shared<LoadCmdOptions>();
  CLI::App* load_cmd = tracker.add_subcommand("load", "Store conversations written by 'convo tracker dump'");
  set_examples(*load_cmd, {"convo tracker load all.ndjson --store sqlite:///offline.db",
      "convo tracker load --replace < all.ndjson"});
  load_cmd->add_option("file", load->path, "NDJSON or JSON from 'convo tracker dump'; - for stdin (default)")->type_name("FILE");
  load_cmd->add_flag("--replace", load->replace, "Replace each conversation instead of appending to it");
  add_format_option(*load_cmd, load->format);
  add_store_options(*load_cmd, load->store);
  load_cmd->callback([load, &exit_code] { exit_code = run_load(*load); });
}

}  // namespace convo::cli
