// convo events validate: every problem Rasa would have with an event list, one line each.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli.hpp"
#include "convo/core/tracker_builder.hpp"
#include "convo/io/event_source.hpp"
#include "convo/io/file.hpp"
#include "convo/render/style.hpp"
#include "convo/sys/heap.hpp"

namespace convo::cli {
namespace {

struct ValidateOptions {
  std::string path;
  std::string domain_path;
  Format format = Format::Auto;
};

int run_validate(const ValidateOptions& opt) {
  auto text = read_file_text(opt.path);
  if (!text) return report(text.error());
  const std::string source = opt.path == "-" ? "<stdin>" : opt.path;
  auto domain = load_domain_option(opt.domain_path);
  if (!domain) return report(domain.error());
  const ParseContext ctx = system_parse_context();
  auto input = parse_event_input(text->view(), source, &ctx);

  Json result = {{"file", source}, {"valid", false}, {"events", 0}, {"errors", Json::array()},
                 {"warnings", Json::array()}};
  if (!input) {
    result["errors"].push_back(input.error().message);
  } else {
    const std::string sender = input->sender_id.value_or("default");
    result["events"] = input->size();
    BuildReport built = input->decoded
                            ? inspect_events(sender, std::move(*input->decoded), *domain, BuildOptions{}, ctx)
                            : inspect_events(sender, input->events, *domain, BuildOptions{}, ctx);
    for (const auto& e : built.errors) result["errors"].push_back(source + ": " + e);
    for (const auto& w : built.warnings) result["warnings"].push_back(source + ": " + w);
    result["valid"] = built.ok();
    sys::keep_until_exit(std::move(built.tracker));  // the command ends: not freed event by event
  }
  const bool valid = result["valid"].get<bool>();
  if (want_json(opt.format)) {
    std::cout << dump_compact(result) << "\n";
  } else {
    Style style = style_for_fd(STDOUT_FILENO);
    for (const auto& e : result["errors"])
      std::cout << style.paint("error", Tone::Error) << ": " << e.get<std::string>() << "\n";
    for (const auto& w : result["warnings"])
      std::cout << style.paint("warning", Tone::Warn) << ": " << w.get<std::string>() << "\n";
    std::cout << (valid ? style.paint("valid", Tone::Ok) : style.paint("invalid", Tone::Error))
              << fmt::format(": {} — {} items, {} error{}, {} skipped\n", source,
                             result["events"].get<std::size_t>(), result["errors"].size(),
                             result["errors"].size() == 1 ? "" : "s", result["warnings"].size());
  }
  return valid ? kOk : kRuntime;
}

struct PushOptions {
  std::string sender_id;
  std::string path = "-";
  Format format = Format::Auto;
  StoreOptions store;
};

int run_push(const PushOptions& opt) {
  std::string source;
  auto input = read_event_input(opt.path, source);
  if (!input) return report(input.error());
  auto events = parse_for_storing(input->events, source, nullptr);
  if (!events) return report(events.error());
  auto pipeline = open_write_pipeline(opt.store);
  if (!pipeline) return report(pipeline.error());
  if (auto err = (**pipeline).conversations()->append(opt.sender_id, *events)) return report(*err);
  finish_writes(**pipeline);
  const std::string where = (**pipeline).store().describe();
  return print_write_result(opt.format, "appended", opt.sender_id, events->size(), where);
}

}  // namespace

void setup_events(CLI::App& app, int& exit_code) {
  CLI::App* events = app.add_subcommand("events", "Check event lists and append events to stored conversations");
  events->require_subcommand(1);
  events->footer(kExitCodeHelp);

  auto opt = std::make_shared<ValidateOptions>();
  CLI::App* validate = events->add_subcommand(
      "validate", "Report every event Rasa would refuse or skip; exit 1 if any is invalid");
  set_examples(*validate, {"convo events validate events.json",
      "convo events validate dump.ndjson --domain domain.yml -o json",
      "cat tracker.json | convo events validate -"});
  validate->add_option("file", opt->path, "Events: JSON array, tracker object or NDJSON; - for stdin")
      ->required()
      ->type_name("FILE");
  validate->add_option("--domain", opt->domain_path, "domain.yml to check slot events against")
      ->type_name("FILE");
  add_format_option(*validate, opt->format);
  validate->callback([opt, &exit_code] { exit_code = run_validate(*opt); });

  auto push = std::make_shared<PushOptions>();
  CLI::App* push_cmd = events->add_subcommand(
      "push", "Append events to a stored conversation, in one transaction (all or none)");
  set_examples(*push_cmd, {"convo events push alice events.json",
      "echo '{\"event\": \"slot\", \"name\": \"city\", \"value\": \"Rome\"}' | convo events push alice",
      "convo events push alice dump.ndjson --store sqlite:///rasa.db"});
  push_cmd->add_option("sender", push->sender_id, "Conversation id")->required()->type_name("SENDER");
  push_cmd->add_option("file", push->path, "One event object, a JSON array or NDJSON; - for stdin (default)")
      ->type_name("FILE");
  add_format_option(*push_cmd, push->format);
  add_store_options(*push_cmd, push->store);
  add_server_options(*push_cmd, push->store);
  push_cmd->callback([push, &exit_code] { exit_code = run_push(*push); });
}

}  // namespace convo::cli
