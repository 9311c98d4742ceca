#include "cli.hpp"
#include "convo/sys/heap.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/Version.hpp>
#include <algorithm>
#include <iostream>

#include "convo/io/file.hpp"

namespace convo::cli {

const char* const kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  runtime failure (invalid input data, I/O error)\n"
    "  2  usage error (unknown command or option, bad argument)\n"
    "  3  not found (file, conversation)\n"
    "  4  authentication or authorisation failure\n"
    "  5  upstream failure (server, broker, model server)\n"
    "\n"
    "Environment: NO_COLOR disables colour; CLICOLOR_FORCE=1 forces it.";

int exit_code_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::Runtime: return kRuntime;
    case ErrorKind::Usage: return kUsage;
    case ErrorKind::NotFound: return kNotFound;
    case ErrorKind::Auth: return kAuth;
    case ErrorKind::Upstream: return kUpstream;
  }
  return kRuntime;
}

int report(const Error& error) {
  std::cerr << "convo: error: " << error.message << "\n";
  return exit_code_for(error);
}

void warn(const std::string& message) { std::cerr << "convo: warning: " << message << "\n"; }

void warn_all(const std::vector<std::string>& messages) {
  for (const auto& m : messages) warn(m);
}

void set_examples(CLI::App& cmd, std::initializer_list<const char*> examples, const std::string& note) {
  std::string footer = "Examples:\n";
  for (const char* line : examples) footer += std::string("  ") + line + "\n";
  footer += "\n";
  if (!note.empty()) footer += note + "\n\n";
  cmd.footer(footer + kExitCodeHelp);
}

void add_format_option(CLI::App& cmd, Format& format) {
  cmd.add_option("-o,--output", format,
                 "Output format: json (for scripts) or table (for people); default: table on a "
                 "terminal, json otherwise")
      ->transform(CLI::CheckedTransformer(
                      std::map<std::string, Format>{{"json", Format::Json}, {"table", Format::Table}},
                      CLI::ignore_case)
                      .description(""))
      ->type_name("json|table");
}

bool want_json(Format format) {
  if (format == Format::Auto) return isatty(STDOUT_FILENO) != 1;
  return format == Format::Json;
}

Result<std::shared_ptr<const Domain>> load_domain_option(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const Domain>();
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto domain = domain_from_yaml(*text, path);
  if (!domain) return domain.error();
  for (const auto& w : domain->warnings) warn(path + ": " + w);
  return std::shared_ptr<const Domain>(std::make_shared<Domain>(std::move(*domain)));
}

const std::vector<Family>& families() {
  static const std::vector<Family> table = {
      {"tracker", "Inspect, store and move conversation trackers", setup_tracker},
      {"events", "Check event lists and append events to stored conversations", setup_events},
      {"serve", "Run a Rasa-compatible HTTP server over a tracker store", setup_serve},
      {"status", "Check that a server is up and ready", setup_status},
      {"consume-kafka", "Store a Rasa event stream from Kafka for offline replay", setup_consume_kafka},
      {"consume-amqp", "Store a Rasa event stream from RabbitMQ for offline replay", setup_consume_amqp},
      {"export", "Publish stored events to the configured event broker (rasa export)", setup_export},
      {"model", "Pull, build and inspect model archives", setup_model},
      {"nlu", "Parse texts and test intents with a model's built-in NLU", setup_nlu},
      {"auth", "Make credentials for the HTTP API's authentication", setup_auth},
      {"completion", "Print a shell completion script", setup_completion},
  };
  return table;
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// For a word that names no subcommand of the deepest command given: "unknown command 'trackr'
// (did you mean 'tracker'?)". Empty when the error is not about such a word.
// The deepest subcommand the user gave, and its path ("convo tracker show").
CLI::App* deepest(CLI::App& app, std::string& path) {
  CLI::App* cmd = &app;
  path = "convo";
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (CLI::App* sub : cmd->get_subcommands()) {
      cmd = sub;
      path += " " + sub->get_name();
      deeper = true;
      break;
    }
  }
  return cmd;
}

std::string unknown_command_message(CLI::App& app) {
  std::string path;
  CLI::App* cmd = deepest(app, path);
  if (cmd->get_subcommands({}).empty()) return "";
  auto rest = cmd->remaining();
  if (rest.empty()) rest = app.remaining();
  if (rest.empty()) {
    std::vector<std::string> names;
    for (const CLI::App* sub : cmd->get_subcommands({})) names.push_back(sub->get_name());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return "'" + path + "' needs a command: " + list;
  }
  if (rest.front().rfind("-", 0) == 0) return "";
  const std::string& word = rest.front();
  std::string best;
  std::size_t best_distance = 3;
  for (const CLI::App* sub : cmd->get_subcommands({})) {
    std::size_t d = edit_distance(word, sub->get_name());
    if (d < best_distance) {
      best_distance = d;
      best = sub->get_name();
    }
  }
  std::string where = cmd == &app ? "" : " for '" + path + "'";
  return "unknown command '" + word + "'" + where +
         (best.empty() ? "" : " (did you mean '" + best + "'?)");
}

std::string version_text() {
  return fmt::format(
      "convo {}\n"
      "built with: nlohmann_json {}.{}.{}, CLI11 {}, fmt {}.{}.{}, yaml-cpp\n"
      "features: sqlite, postgresql, kafka (librdkafka), amqp (rabbitmq-c), http server and client, tls, jwt, "
      "model archives (libarchive)",
      CONVO_VERSION, NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
      NLOHMANN_JSON_VERSION_PATCH, CLI11_VERSION, FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
      FMT_VERSION % 100);
}

}  // namespace

int run(int argc, char** argv) {
  sys::prefer_huge_pages();
  CLI::App app{"convo — inspect and serve Rasa conversations", "convo"};
  app.footer(kExitCodeHelp);
  app.set_version_flag("-V,--version", version_text());
  app.require_subcommand(1);
  int exit_code = kOk;
  for (const auto& family : families()) family.setup(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string unknown = unknown_command_message(app);
    std::string path;
    deepest(app, path);
    std::cerr << "convo: error: " << (unknown.empty() ? std::string(e.what()) : unknown) << "\n"
              << "Run '" << path << " --help' for usage.\n";
    return kUsage;
  } catch (const std::exception& e) {
    // A bug or an input no check foresaw: one clear line and exit 1, never an abort.
    std::cerr << "convo: error: unexpected failure: " << e.what() << "\n";
    return kRuntime;
  }
  return exit_code;
}

}  // namespace convo::cli
