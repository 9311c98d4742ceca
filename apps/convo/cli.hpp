// Shared CLI plumbing: the subcommand table, exit codes, the one error printer, output choice.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"

namespace convo::cli {

// Exit codes, documented in `convo --help` and man/convo.1.
enum Exit : int { kOk = 0, kRuntime = 1, kUsage = 2, kNotFound = 3, kAuth = 4, kUpstream = 5 };

extern const char* const kExitCodeHelp;

// Prints "convo: error: <message>" on stderr and returns the exit code for the error's kind.
int report(const Error& error);
// Prints "convo: warning: <message>" on stderr.
void warn(const std::string& message);

// Output formats a command offers; `auto` is table on a TTY and json otherwise.
enum class Format { Auto, Json, Table };
void add_format_option(CLI::App& cmd, Format& format);
bool want_json(Format format);

// Loads --domain FILE (YAML) when given; null otherwise.
Result<std::shared_ptr<const Domain>> load_domain_option(const std::string& path);

// A subcommand family: adds itself to the app; its callbacks set the exit code.
struct Family {
  const char* name;
  const char* summary;
  std::function<void(CLI::App& parent, int& exit_code)> setup;
};
const std::vector<Family>& families();

void setup_tracker(CLI::App& app, int& exit_code);
void setup_events(CLI::App& app, int& exit_code);
void setup_completion(CLI::App& app, int& exit_code);

// Runs the whole CLI; main() only forwards to it.
int run(int argc, char** argv);

}  // namespace convo::cli
