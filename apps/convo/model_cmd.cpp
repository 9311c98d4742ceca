// convo model pull|build|inspect: Rasa's model-server protocol from the command line, and convo's
// model archive (lib/include/convo/model).
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "convo/config/endpoints.hpp"
#include "convo/io/file.hpp"
#include "convo/model/archive.hpp"
#include "convo/model/project.hpp"
#include "convo/model/pull.hpp"
#include "convo/nlu/nlu_model.hpp"
#include "convo/io/signals.hpp"
#include "convo/render/progress.hpp"

namespace convo::cli {
namespace {

constexpr int kInterrupted = 130;

struct PullOptions {
  std::string url;
  std::string out = "models";
  std::string fingerprint_file;
  std::string token;
  std::vector<std::string> headers;
  std::string interval;
  bool once = false;
  int exit_unchanged = 0;
  std::string endpoints;
  double timeout = 300;
  Format format = Format::Auto;
};

struct BuildOptions {
  std::string project;
  std::string out = "models";
  std::string name;
  bool dry_run = false;
  Format format = Format::Auto;
};

struct InspectOptions {
  std::string archive;
  Format format = Format::Auto;
};

// The endpoints.yml `models:` section (when --endpoints) with the command line laid over it.
Result<ModelServer> server_from_options(const PullOptions& opt) {
  Json section = Json::object();
  std::string where = "command line";
  if (!opt.endpoints.empty()) {
    auto text = read_text_file(opt.endpoints);
    if (!text) return text.error();
    auto config = load_endpoints_yaml(*text, opt.endpoints, process_environment());
    if (!config) return config.error();
    for (const auto& w : config->warnings) warn(w);
    if (config->models.is_object()) section = config->models;
    else if (opt.url.empty()) return usage_error(opt.endpoints + " has no models: section; give the URL");
    where = opt.endpoints + ": models";
  } else {
    section["wait_time_between_pulls"] = 0;  // without endpoints.yml: once unless --interval
  }
  if (!opt.url.empty()) section["url"] = opt.url;
  if (!opt.token.empty()) section["token"] = opt.token;
  for (const auto& h : opt.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return usage_error("--header: expected NAME:VALUE, got '" + h + "'");
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (!section.contains("headers") || !section["headers"].is_object()) section["headers"] = Json::object();
    section["headers"][h.substr(0, colon)] = value;
  }
  if (!opt.interval.empty()) {
    auto seconds = duration_option("--interval", opt.interval);
    if (!seconds) return seconds.error();
    section["wait_time_between_pulls"] = *seconds;
  }
  if (opt.once) section["wait_time_between_pulls"] = 0;
  auto server = model_server_from_json(section, where);
  if (!server) return server.error();
  server->timeout_s = opt.timeout;
  return server;
}

void print_pull(const PullResult& r, const std::string& url, bool json, const Style& style) {
  if (json) std::cout << dump_compact(pull_result_json(r, url)) << "\n" << std::flush;
  switch (r.outcome) {
    case PullOutcome::Updated:
      if (!json)
        std::cout << style.paint("updated", Tone::Ok) << ": " << r.file << " (fingerprint " << r.fingerprint << ", "
                  << human_bytes(double(r.bytes)) << fmt::format(" in {:.2f}s)\n", r.seconds) << std::flush;
      break;
    case PullOutcome::Unchanged:
      if (!json)
        std::cout << style.paint("unchanged", Tone::Dim) << ": HTTP " << r.http_status << ", fingerprint "
                  << (r.fingerprint.empty() ? "(none yet)" : r.fingerprint) << "\n" << std::flush;
      break;
    case PullOutcome::Discarded: warn(r.error.message); break;
    case PullOutcome::Failed: report(r.error); break;
    case PullOutcome::Cancelled: std::cerr << "convo: " << r.error.message << "\n"; break;
  }
}

int exit_for(const PullResult& r, const PullOptions& opt) {
  switch (r.outcome) {
    case PullOutcome::Updated: return kOk;
    case PullOutcome::Unchanged: return opt.exit_unchanged;
    case PullOutcome::Discarded: return kUpstream;
    case PullOutcome::Cancelled: return kInterrupted;
    case PullOutcome::Failed: break;
  }
  return static_cast<int>(r.error.kind);
}

int run_pull(const PullOptions& opt) {
  if (opt.url.empty() && opt.endpoints.empty()) return report(usage_error("give the model server URL (or --endpoints FILE with a models: section)"));
  auto server = server_from_options(opt);
  if (!server) return report(server.error());
  StopSignals signals;
  std::string fingerprint_file = opt.fingerprint_file.empty()
                                     ? (std::filesystem::path(opt.out) / ".fingerprint").string()
                                     : opt.fingerprint_file;
  ModelPuller puller(*server, opt.out, fingerprint_file);
  const std::string url = model_display_url(*server);
  const bool json = want_json(opt.format);
  const Style style = style_for_fd(STDOUT_FILENO);
  // A one-line bar on stderr, for downloads of 1 MB or more (or of unknown size) on a terminal.
  ProgressLine bar(STDERR_FILENO, std::chrono::milliseconds(100));
  for (;;) {
    PullResult result = puller.pull(
        [&](std::uint64_t done, std::uint64_t total) {
          if ((total > 0 && total < 1000000) || done == 0) return;
          bar.update(download_progress_text(done, total), Tone::Plain, done == total);
        },
        &signals.flag());
    bar.clear();
    print_pull(result, url, json, style);
    if (server->interval_s <= 0 || result.outcome == PullOutcome::Cancelled) return exit_for(result, opt);
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(server->interval_s);
    while (!signals.stop_requested() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (signals.stop_requested()) return kInterrupted;
  }
}

int run_build(const BuildOptions& opt) {
  auto files = read_project(opt.project);
  if (!files) return report(files.error());
  ProjectReport checked = validate_project(*files, project_location(opt.project));
  for (const auto& w : checked.warnings) warn(w);
  for (const auto& e : checked.errors) report(runtime_error(e));
  if (!checked.ok())
    return report(runtime_error(fmt::format("{}: {} error{}; nothing was built", opt.project, checked.errors.size(),
                                            checked.errors.size() == 1 ? "" : "s")));
  Json out = {{"stories", checked.stories}, {"rules", checked.rules}, {"nlu_examples", checked.nlu_examples},
              {"warnings", checked.warnings.size()}};
  if (!opt.dry_run) {
    std::string project = std::filesystem::absolute(opt.project).lexically_normal().filename().string();
    if (project.empty()) project = std::filesystem::absolute(opt.project).lexically_normal().parent_path().filename().string();
    auto built = pack_model(*files, checked, project, opt.out, opt.name, std::time(nullptr), opt.project);
    if (!built) return report(built.error());
    warn_all(built->warnings);
    out["file"] = built->path;
    out["nlu"] = built->nlu;
    out["fingerprint"] = built->fingerprint;
  }
  if (want_json(opt.format)) {
    std::cout << dump_compact(out) << "\n";
  } else {
    std::string counts = fmt::format("{} stories, {} rules, {} NLU examples", checked.stories, checked.rules, checked.nlu_examples);
    if (opt.dry_run) std::cout << "valid: " << opt.project << " (" << counts << ")\n";
    else std::cout << "built " << out["file"].get<std::string>() << " (fingerprint " << out["fingerprint"].get<std::string>()
                   << ", " << counts << ")\n";
  }
  return kOk;
}

std::string name_list(const Json& names) {
  std::string out;
  if (!names.is_array()) return out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.get<std::string>();
  return out;
}

int run_inspect(const InspectOptions& opt) {
  auto path = resolve_model_path(opt.archive);
  if (!path) return report(path.error());
  auto archive = load_model_archive(*path);
  if (!archive) return report(archive.error());
  Json summary = model_summary_json(*archive);
  summary["nlu"] = archive->nlu ? archive->nlu->summary() : Json();
  if (want_json(opt.format)) {
    std::cout << dump_compact(summary) << "\n";
    return kOk;
  }
  Style style = style_for_fd(STDOUT_FILENO);
  auto row = [&](const std::string& label, const std::string& value) {
    std::cout << style.paint(fmt::format("{:<14}", label), Tone::Bold) << value << "\n";
  };
  auto text = [](const Json& v) { return v.is_null() ? std::string("-") : v.is_string() ? v.get<std::string>() : v.dump(); };
  row("file", summary["file"].get<std::string>());
  row("fingerprint", summary["fingerprint"].get<std::string>().empty() ? "-" : summary["fingerprint"].get<std::string>());
  row("built at", text(summary["built_at"]));
  row("convo", text(summary["convo_version"]));
  if (summary["domain"].is_object()) {
    for (const char* key : {"intents", "entities", "slots", "responses", "actions", "forms"}) {
      const Json& names = summary["domain"][key];
      row(fmt::format("{} ({})", key, names.size()), name_list(names));
    }
  } else {
    row("domain", "-");
  }
  row("stories", text(summary["stories"]));
  row("rules", text(summary["rules"]));
  if (summary["nlu"].is_object()) {
    const Json& nlu = summary["nlu"];
    row(fmt::format("nlu ({})", nlu["intents"].size()), fmt::format("{} examples, {} features; intents: {}", nlu["examples"].dump(),
                                                                    nlu["features"].dump(), name_list(nlu["intents"])));
  } else {
    row("nlu", "- (no NLU examples: texts are parsed by the regex interpreter)");
  }
  return kOk;
}

}  // namespace

void setup_model(CLI::App& app, int& exit_code) {
  CLI::App* model = app.add_subcommand("model", "Pull, build and inspect model archives");
  model->require_subcommand(1);
  set_examples(*model, {"convo model build . -o models/",
      "convo model inspect models/",
      "convo model pull http://models.internal/models/tags/production --out models/"});

  auto pull = std::make_shared<PullOptions>();
  CLI::App* p = model->add_subcommand("pull", "Fetch a model from a model server (Rasa's If-None-Match/ETag protocol)");
  set_examples(*p, {"convo model pull http://models.internal/api/models/tags/production --out models/",
      "convo model pull --endpoints endpoints.yml --once -o json",
      "convo model pull URL --token s3cret --header 'X-Team: bots' --interval 30s",
      "convo model pull URL --exit-unchanged 3 || echo 'no new model'"}, "Exit 0 when a new model was saved and when the server reports none (--exit-unchanged N\n"
      "changes the latter); 5 for 404, other statuses, 200 without ETag, unreadable archives and\n"
      "network errors (the current model is kept); 130 when interrupted.");
  p->add_option("url", pull->url, "Model server URL (default: the url of --endpoints' models: section)");
  p->add_option("--out", pull->out, "Directory the archive is saved into (created when missing)")->capture_default_str()->type_name("DIR");
  p->add_option("--fingerprint-file", pull->fingerprint_file, "Where the last ETag is kept; default DIR/.fingerprint")->type_name("FILE");
  p->add_option("--token", pull->token, "Sent as the query parameter token (token_name in endpoints.yml)")->type_name("TOKEN");
  p->add_option("--header", pull->headers, "Extra request header, repeatable")->type_name("NAME:VALUE");
  p->add_option("--interval", pull->interval, "Keep pulling, this long between pulls (30, 30s, 5m); 0 = once")->type_name("DURATION");
  p->add_flag("--once", pull->once, "Pull once, whatever wait_time_between_pulls says");
  p->add_option("--exit-unchanged", pull->exit_unchanged, "Exit status when the server has no new model (default 0)")
      ->check(CLI::Range(0, 255))->type_name("N");
  p->add_option("--endpoints", pull->endpoints, "endpoints.yml whose models: section to use (url, token, token_name, headers, wait_time_between_pulls)")
      ->type_name("FILE");
  p->add_option("--timeout", pull->timeout, "Seconds one request may take (Rasa: 300)")->capture_default_str()->check(CLI::PositiveNumber)->type_name("SECONDS");
  add_format_option(*p, pull->format);
  p->callback([pull, &exit_code] { exit_code = run_pull(*pull); });

  auto build = std::make_shared<BuildOptions>();
  CLI::App* b = model->add_subcommand("build", "Validate a Rasa 2.x project and pack it into a model archive");
  set_examples(*b, {"convo model build . -o models/",
      "convo model build bot/ --dry-run",
      "convo model build bot/ -o models/ --name production.tar.gz --format json"});
  b->add_option("project", build->project, "Project directory (domain.yml, config.yml, data/*.yml)")->required()->type_name("DIR");
  b->add_option("-o,--out", build->out, "Directory the archive is written into")->capture_default_str()->type_name("DIR");
  b->add_option("--name", build->name, "Archive file name (default: YYYYMMDD-HHMMSS.tar.gz, UTC)")->type_name("FILE");
  b->add_flag("--dry-run", build->dry_run, "Validate only; write nothing");
  b->add_option("--format", build->format, "Output format: json or table (default: table on a terminal)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"json", Format::Json}, {"table", Format::Table}}, CLI::ignore_case)
                      .description(""))
      ->type_name("json|table");
  b->callback([build, &exit_code] { exit_code = run_build(*build); });

  auto inspect = std::make_shared<InspectOptions>();
  CLI::App* i = model->add_subcommand("inspect", "Show an archive's fingerprint, build time and domain summary");
  set_examples(*i, {"convo model inspect models/20260101-120000.tar.gz",
      "convo model inspect models/ -o json   # the newest archive"});
  i->add_option("archive", inspect->archive, "Model archive, or a directory (its newest *.tar.gz)")->required()->type_name("ARCHIVE");
  add_format_option(*i, inspect->format);
  i->callback([inspect, &exit_code] { exit_code = run_inspect(*inspect); });
}

}  // namespace convo::cli
