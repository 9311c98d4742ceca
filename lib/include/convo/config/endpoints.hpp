// endpoints.yml: its sections, Rasa's environment-variable substitution, and the tracker-store
// section as a store URL. Spec: http-api.md §7, brokers-and-stores.md §1.1, §1.2, §8.1, §8.2.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/core/yaml_json.hpp"

namespace convo {

// Looks up one environment variable; nullopt when it is not set. Injectable so tests and
// embedders need not touch the process environment.
using Environment = std::function<std::optional<std::string>(const std::string&)>;

// The process's own environment (getenv).
Environment process_environment();

// --- environment-variable substitution (http-api.md §7.4) ---

// Whether Rasa's resolver claims a plain scalar: it contains `${` followed later by `}`, all on
// one line.
bool has_env_reference(const std::string& scalar);

// Expands `${NAME}` and `$NAME` shell-style (Python's os.path.expandvars); unset variables stay
// as written. Fails when a whitespace-separated word of the result starts with `$` and also
// occurs in the original text: "environment variable PW is not set (in \"${PW}\")".
Result<std::string> expand_env_vars(const std::string& scalar, const Environment& env);

// YAML text as Json the way Rasa reads endpoints.yml and credentials.yml: YAML 1.2 typing, and
// every plain scalar (keys included) that has_env_reference() expanded to a string first.
// Errors and `map` lines as yaml_to_json; an empty document is null.
Result<Json> read_config_yaml(std::string_view text, SourceMap& map, const Environment& env);

// --- endpoints.yml ---

struct EndpointsConfig {
  // Each section as written (after substitution): an object, or null when absent or empty.
  Json tracker_store;
  Json event_broker;
  Json lock_store;
  Json models;
  Json action_endpoint;
  Json nlg;
  Json nlu;
  std::string source;                 // file name for messages
  SourceMap where;                    // line of every key ("/tracker_store/port")
  std::vector<std::string> warnings;  // "<source>:<line>: unknown section 'tracker_stor' ..."
};

// Parses endpoints.yml. An empty file means no section is configured (a missing file is the
// caller's business: Rasa treats it the same way). A section that is neither a mapping nor empty,
// a top level that is not a mapping, and an unset variable (§7.4) are errors with file and line.
Result<EndpointsConfig> load_endpoints_yaml(std::string_view text, const std::string& source,
                                            const Environment& env);

// --- tracker_store section -> open_store() URL (brokers-and-stores.md §1.2, §8.1, §8.2) ---

struct StoreSettings {
  std::string url;  // "memory:", "sqlite:///<path>" or "postgresql://user:pw@host:port/db?query"
  // PostgreSQL: connect to this database first and create `db` (the URL's) when missing.
  std::optional<std::string> login_db;
  // Rasa applies POSTGRESQL_SCHEMA, SQL_POOL_SIZE and SQL_MAX_OVERFLOW only when the dialect is
  // exactly `postgresql` (or a full URL mentions it), not for `postgresql+psycopg2`.
  bool postgresql_env = false;
  std::vector<std::string> warnings;  // unknown or ignored keys, with file and line
};

// The store the section selects: no section or no `type` -> in-memory; `type: sql` (any case;
// `store_type` wins over `type`) with dialect sqlite or postgresql[+psycopg2]. Other types
// (redis, mongod, dynamo, custom classes) and dialects are Usage errors: not supported by convo.
Result<StoreSettings> store_settings_from_config(const EndpointsConfig& endpoints);

}  // namespace convo
