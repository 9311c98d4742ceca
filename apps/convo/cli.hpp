// Shared CLI plumbing: the subcommand table, exit codes, the one error printer, output choice.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/config/endpoints.hpp"
#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/text.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/tracker.hpp"
#include "convo/io/event_source.hpp"
#include "convo/net/http_client.hpp"
#include "convo/pipeline/pipeline.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo::cli {

// Exit codes, documented in `convo --help` and man/convo.1.
enum Exit : int { kOk = 0, kRuntime = 1, kUsage = 2, kNotFound = 3, kAuth = 4, kUpstream = 5 };

extern const char* const kExitCodeHelp;

// The CLI edge's one error mapping: the documented exit code of an error's kind.
int exit_code_for(const Error& error);
// Prints "convo: error: <message>" on stderr and returns exit_code_for(error).
int report(const Error& error);
// Prints "convo: warning: <message>" on stderr (each of `messages`).
void warn(const std::string& message);
void warn_all(const std::vector<std::string>& messages);

// A command's help footer: "Examples:" with one line each, an optional paragraph, the exit codes.
void set_examples(CLI::App& cmd, std::initializer_list<const char*> examples, const std::string& note = "");

// Output formats a command offers; `auto` is table on a TTY and json otherwise.
enum class Format { Auto, Json, Table };
void add_format_option(CLI::App& cmd, Format& format);
bool want_json(Format format);

// Loads --domain FILE (YAML) when given; null otherwise.
Result<std::shared_ptr<const Domain>> load_domain_option(const std::string& path);

// Events from FILE or "-" (stdin) in any shape; `source` is set to the name used in messages.
// `decode_arrays`: see parse_event_input (for commands that only read the events).
Result<EventInput> read_event_input(const std::string& path, std::string& source,
                                    const ParseContext* decode_arrays = nullptr);

// Events a command stores: prepare_events (all-or-nothing, checked) with its warnings printed.
Result<std::vector<EventPtr>> parse_for_storing(const Json& events, const std::string& source,
                                                std::shared_ptr<const Domain> domain);

// A --flag DURATION value (core's parse_duration); a Usage error naming the flag otherwise.
Result<double> duration_option(const std::string& flag, const std::string& text);

// --include-events NONE|APPLIED|AFTER_RESTART|ALL
void add_verbosity_option(CLI::App& cmd, std::string& target);

// Where conversations live: --store URL or --endpoints FILE (its tracker_store section), or a
// server (--url, else $CONVO_URL unless --store/--endpoints were given). Default $CONVO_STORE,
// else sqlite:///rasa.db.
struct StoreOptions {
  std::string url;
  std::string endpoints;
  std::string server;   // --url: a Rasa or convo server instead of a store ($CONVO_URL)
  std::string token;    // --token ($CONVO_TOKEN)
  std::string jwt;      // --jwt ($CONVO_JWT)
  double timeout = 30;  // --timeout seconds
};
// --store and --endpoints.
void add_store_options(CLI::App& cmd, StoreOptions& options);
// --url/--token/--jwt/--timeout: the command may then talk to a server instead.
void add_server_options(CLI::App& cmd, StoreOptions& options);
// The server to use: --url, else $CONVO_URL unless --store/--endpoints were given; "" for a store.
std::string server_url(const StoreOptions& options);
ClientOptions client_options(const StoreOptions& options);
// The store the options name: a database, or a server behind the same interface (remote store).
Result<std::unique_ptr<TrackerStore>> open_store_option(const StoreOptions& options, StoreAccess access);
// --store and an endpoints.yml naming a tracker_store: the flag wins, with a note on stderr.
void note_store_override(const StoreOptions& options, const EndpointsConfig& endpoints);
// endpoints.yml as Rasa reads it (warnings printed); a missing file is a NotFound error.
Result<EndpointsConfig> load_endpoints_file(const std::string& path);
// The tracker store endpoints.yml's tracker_store section names (in-memory when absent).
Result<std::unique_ptr<TrackerStore>> open_endpoints_store(const EndpointsConfig& endpoints, StoreAccess access);
// The event broker of endpoints.yml's event_broker section (warnings printed); null when absent.
Result<std::unique_ptr<EventBroker>> open_broker_option(const EndpointsConfig& endpoints);
// The pipeline a write command goes through: the store the options name and, with --endpoints
// naming an event_broker, its broker (Publisher problems printed as warnings).
Result<std::unique_ptr<Pipeline>> open_write_pipeline(const StoreOptions& options,
                                                      std::shared_ptr<const Domain> domain = nullptr);
// Publishes what the writes enqueued (at most 10 s); what is left waits, with a warning.
void finish_writes(Pipeline& pipeline);

// Prints a tracker as JSON or a timeline, with the events chosen by verbosity, types and tail.
struct TrackerView {
  Verbosity verbosity = Verbosity::All;
  std::vector<std::string> types;
  std::optional<std::size_t> tail;
  Format format = Format::Auto;
};
int print_tracker(const Tracker& tracker, const TrackerView& view);
// "replaced 50 events for conversation 'alice' in sqlite:///rasa.db" or {"sender_id", verb: n, "store"}.
int print_write_result(Format format, const std::string& verb, const std::string& sender, std::size_t count,
                       const std::string& where);

// A subcommand family: adds itself to the app; its callbacks set the exit code.
struct Family {
  const char* name;
  const char* summary;
  std::function<void(CLI::App& parent, int& exit_code)> setup;
};
const std::vector<Family>& families();

void setup_tracker(CLI::App& app, int& exit_code);
void setup_tracker_writes(CLI::App& tracker, int& exit_code);  // put, list, dump, load
void setup_events(CLI::App& app, int& exit_code);
void setup_completion(CLI::App& app, int& exit_code);
void setup_serve(CLI::App& app, int& exit_code);
void setup_status(CLI::App& app, int& exit_code);
void setup_auth(CLI::App& app, int& exit_code);
void setup_consume_kafka(CLI::App& app, int& exit_code);
void setup_consume_amqp(CLI::App& app, int& exit_code);
void setup_export(CLI::App& app, int& exit_code);
void setup_model(CLI::App& app, int& exit_code);
void setup_nlu(CLI::App& app, int& exit_code);

// Runs the whole CLI; main() only forwards to it.
int run(int argc, char** argv);

}  // namespace convo::cli
