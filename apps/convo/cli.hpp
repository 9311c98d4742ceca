// Shared CLI plumbing: the subcommand table, exit codes, the one error printer, output choice.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/config/endpoints.hpp"
#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/tracker.hpp"
#include "convo/io/event_source.hpp"
#include "convo/http/client.hpp"
#include "convo/store/tracker_store.hpp"

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

// Events from FILE or "-" (stdin) in any shape; `source` is set to the name used in messages.
Result<EventInput> read_event_input(const std::string& path, std::string& source);

// Parses events all-or-nothing and checks that they apply (Rasa would load them); warnings for
// skipped items go to stderr. The error names the first bad item.
Result<std::vector<EventPtr>> parse_for_storing(const Json& events, const std::string& source,
                                                std::shared_ptr<const Domain> domain);

// "500ms", "30s", "15m", "1h", "2d" or plain seconds ("1.5").
std::optional<double> parse_duration_seconds(const std::string& text);

// --include-events NONE|APPLIED|AFTER_RESTART|ALL
void add_verbosity_option(CLI::App& cmd, std::string& target);

// Where conversations live: --store URL or --endpoints FILE (its tracker_store section);
// default $CONVO_STORE, else sqlite:///rasa.db.
struct StoreOptions {
  std::string url;
  std::string endpoints;
  std::string server;   // --url: a Rasa or convo server instead of a store ($CONVO_URL)
  std::string token;    // --token ($CONVO_TOKEN)
  std::string jwt;      // --jwt ($CONVO_JWT)
  double timeout = 30;  // --timeout seconds
};
void add_store_options(CLI::App& cmd, StoreOptions& options);
Result<std::unique_ptr<TrackerStore>> open_store_option(const StoreOptions& options, StoreAccess access);
// $CONVO_STORE, else sqlite:///rasa.db.
std::string default_store_url();
// endpoints.yml as Rasa reads it (warnings printed); a missing file is a NotFound error.
Result<EndpointsConfig> load_endpoints_file(const std::string& path);
// The tracker store endpoints.yml's tracker_store section names (in-memory when absent).
Result<std::unique_ptr<TrackerStore>> open_endpoints_store(const EndpointsConfig& endpoints, StoreAccess access);
// The event broker of endpoints.yml's event_broker section (warnings printed); null when absent.
Result<std::unique_ptr<EventBroker>> open_broker_option(const EndpointsConfig& endpoints);
// A store opened for writing. With --endpoints naming an event_broker, writes also enqueue the
// new events' broker bodies in the store's outbox (same transaction), and finish() publishes
// them (at most 10 s; what is left waits in the outbox, with a warning).
class StoreWriter {
 public:
  static Result<StoreWriter> open(const StoreOptions& options);
  TrackerStore& store() { return *store_; }
  std::optional<Error> append(const std::string& id, const std::vector<EventPtr>& events);
  // As serve's PUT: the events beyond as many as the conversation's last session held are announced.
  std::optional<Error> replace(const std::string& id, const std::vector<EventPtr>& events);
  void finish();

 private:
  std::shared_ptr<TrackerStore> store_;
  std::unique_ptr<EventBroker> broker_;
};

// Adds --url/--token/--jwt/--timeout: the command then talks to a server (remote.cpp).
void add_server_options(CLI::App& cmd, StoreOptions& options);
// The server to use: --url, else $CONVO_URL unless --store/--endpoints were given; "" for a store.
std::string server_url(const StoreOptions& options);

// Remote counterparts of the store operations, over Rasa's HTTP API.
Result<Json> remote_get_tracker(const StoreOptions& options, const std::string& sender, Verbosity verbosity,
                                std::optional<double> until);
Result<Json> remote_write_events(const StoreOptions& options, const std::string& method,
                                 const std::string& sender, const Json& events);
Result<Json> remote_list(const StoreOptions& options);
ClientOptions client_options(const StoreOptions& options);

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

// Runs the whole CLI; main() only forwards to it.
int run(int argc, char** argv);

}  // namespace convo::cli
