// endpoints.yml sections (rasa/core/utils.py AvailableEndpoints, rasa/utils/endpoints.py) and
// the tracker-store section as a store URL (rasa/core/tracker_store.py, SQLTrackerStore).
#include "convo/config/endpoints.hpp"
#include "convo/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace convo {

namespace {

const char* const kSections[] = {
    "action_endpoint", "event_broker", "lock_store", "models", "nlg", "nlu", "tracker_store"};

Json* section_slot(EndpointsConfig& config, const std::string& name) {
  if (name == "tracker_store") return &config.tracker_store;
  if (name == "event_broker") return &config.event_broker;
  if (name == "lock_store") return &config.lock_store;
  if (name == "models") return &config.models;
  if (name == "action_endpoint") return &config.action_endpoint;
  if (name == "nlg") return &config.nlg;
  if (name == "nlu") return &config.nlu;
  return nullptr;
}

}  // namespace

Result<EndpointsConfig> load_endpoints_yaml(std::string_view text, const std::string& source,
                                            const Environment& env) {
  EndpointsConfig config;
  config.source = source;
  config.where = SourceMap(source);
  auto data = read_config_yaml(text, config.where, env);
  if (!data) return data.error();
  // Rasa's read_yaml returns `content or {}`: an empty file configures nothing.
  if (!py_truthy(*data)) *data = Json::object();
  if (!data->is_object())
    return runtime_error(config.where.prefix("") +
                         "endpoints file must be a mapping of sections (tracker_store: ...), not " +
                         describe_type(*data));
  for (auto& item : data->items()) {
    const std::string pointer = json_pointer_child("", item.key());
    Json* slot = section_slot(config, item.key());
    if (slot == nullptr) {
      std::string known;
      for (const char* name : kSections) known += (known.empty() ? "" : ", ") + std::string(name);
      config.warnings.push_back(config.where.prefix(pointer) + "unknown section '" + item.key() +
                                "' (ignored; known sections: " + known + ")");
      continue;
    }
    Json& value = item.value();
    // Rasa reads a section only when its value is not None; an empty mapping configures nothing
    // either (it would give an endpoint without a URL).
    if (value.is_null() || (value.is_object() && value.empty())) continue;
    if (!value.is_object())
      return runtime_error(config.where.prefix(pointer) + "`" + item.key() +
                           "` must be a mapping of settings, not " + describe_type(value));
    *slot = std::move(value);
  }
  return config;
}

namespace {

// RFC 3986 percent-encoding of everything but the unreserved characters, so user names,
// passwords and database names with `@`, `:`, `/`, `?` or `%` survive inside a URL.
std::string percent_encode(const std::string& s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A TCP port written as decimal digits (0..65535).
std::optional<int> parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  const int port = std::stoi(text);
  return port <= 65535 ? std::optional<int>(port) : std::nullopt;
}

// Reads the SQL tracker store's keys (brokers-and-stores.md §8.1) with file and line in errors.
class SqlSection {
 public:
  SqlSection(const Json& section, const SourceMap& where, StoreSettings& out)
      : section_(section), where_(where), out_(out) {}

  std::string at(const std::string& key) const {
    return where_.prefix(json_pointer_child("/tracker_store", key));
  }
  bool has(const std::string& key) const {
    return section_.contains(key) && !section_[key].is_null();
  }
  void warn(const std::string& key, const std::string& why) {
    out_.warnings.push_back(at(key) + "tracker_store: `" + key + "` " + why);
  }

  // A text setting: Python hands numbers and booleans on as they are, and the database driver
  // turns them into text, so convo does the same with Python's str().
  Result<std::optional<std::string>> text(const std::string& key) const {
    if (!has(key)) return std::optional<std::string>();
    const Json& v = section_[key];
    if (v.is_object() || v.is_array())
      return runtime_error(at(key) + "tracker_store: `" + key + "` must be text, not " +
                           describe_type(v));
    return std::optional<std::string>(py_str(v));
  }

  Result<std::optional<int>> port() const {
    if (!has("port")) return std::optional<int>();
    const Json& v = section_["port"];
    const auto number = v.is_string()           ? parse_port(v.get<std::string>())
                        : v.is_number_integer() ? parse_port(v.dump())
                                                : std::nullopt;
    if (!number)
      return runtime_error(at("port") + "tracker_store: `port` must be a port number, not " +
                           (v.is_string() ? "'" + v.get<std::string>() + "'" : describe_type(v)));
    return number;
  }

  // `query` as `k=v&k=v`, list values repeated (SQLAlchemy's URL.query).
  Result<std::string> query() const {
    if (!has("query")) return std::string();
    const Json& q = section_["query"];
    auto bad = [&](const std::string& what) {
      return runtime_error(at("query") + "tracker_store: `query` " + what);
    };
    if (!q.is_object()) return bad("must be a mapping of parameters, not " + describe_type(q));
    std::string out;
    for (const auto& item : q.items()) {
      const Json values = item.value().is_array() ? item.value() : Json::array({item.value()});
      for (const auto& v : values) {
        if (v.is_null() || v.is_object() || v.is_array())
          return bad("parameter '" + item.key() + "' must be text, not " + describe_type(v));
        out +=
            (out.empty() ? "" : "&") + percent_encode(item.key()) + "=" + percent_encode(py_str(v));
      }
    }
    return out;
  }

 private:
  const Json& section_;
  const SourceMap& where_;
  StoreSettings& out_;
};

// Python's urlsplit("scheme://" + url): host (lower-cased, brackets removed) and port.
struct HostPort {
  std::string host;
  std::optional<int> port;
};

Result<HostPort> split_host(const std::string& url, const std::string& at) {
  std::string netloc = url.substr(0, url.find_first_of("/?#"));
  netloc = netloc.substr(netloc.rfind('@') == std::string::npos ? 0 : netloc.rfind('@') + 1);
  std::string host;
  std::string port;
  if (netloc.find('[') != std::string::npos) {
    const std::string bracketed = netloc.substr(netloc.find('[') + 1);
    host = bracketed.substr(0, bracketed.find(']'));
    const std::size_t close = bracketed.find(']');
    const std::string rest = close == std::string::npos ? "" : bracketed.substr(close + 1);
    if (rest.find(':') != std::string::npos) port = rest.substr(rest.find(':') + 1);
  } else {
    host = netloc.substr(0, netloc.find(':'));
    if (netloc.find(':') != std::string::npos) port = netloc.substr(netloc.find(':') + 1);
  }
  if (host.empty()) return runtime_error(at + "tracker_store: `url` '" + url + "' names no host");
  HostPort out{ascii_lower(host), std::nullopt};
  if (!port.empty()) {
    const auto number = parse_port(port);
    if (!number)
      return runtime_error(at + "tracker_store: the port in `url` '" + url + "' is not a number");
    // Rasa: `parsed.port or port`, so a port 0 in the URL leaves the `port` key in charge.
    if (*number != 0) out.port = number;
  }
  return out;
}

Error unsupported_dialect(const std::string& at, const std::string& dialect) {
  return usage_error(at + "tracker_store: SQL dialect '" + dialect +
                     "' is not supported by convo yet (supported: sqlite, postgresql, "
                     "postgresql+psycopg2)");
}

// `url` containing `://`: Rasa takes it verbatim and ignores every other key (§8.2 rule 1).
Result<StoreSettings> full_url_settings(const std::string& url, SqlSection& sql,
                                        const std::optional<std::string>& login_db,
                                        StoreSettings& out) {
  if (login_db && !login_db->empty())
    return usage_error(sql.at("login_db") +
                       "tracker_store: `login_db` cannot be combined with a complete database URL "
                       "in `url` (Rasa fails at startup on it)");
  for (const char* key : {"dialect", "port", "db", "username", "password", "query"})
    if (sql.has(key)) sql.warn(key, "is ignored because `url` is a complete database URL");
  const std::string scheme = ascii_lower(url.substr(0, url.find("://")));
  const std::string rest = url.substr(url.find("://") + 3);
  out.postgresql_env = url.find("postgresql") != std::string::npos;
  if (scheme == "sqlite") {
    // SQLAlchemy's pysqlite: no database (or `:memory:`) is an in-memory database.
    out.url = rest.empty() || rest == "/" || rest == "/:memory:" ? "memory:" : url;
  } else if (scheme == "postgresql" || scheme == "postgresql+psycopg2") {
    out.url = "postgresql://" + rest;  // the driver is convo's own
  } else {
    return unsupported_dialect(sql.at("url"), scheme);
  }
  return out;
}

Result<StoreSettings> sql_settings(const Json& section, const SourceMap& where) {
  StoreSettings out;
  SqlSection sql(section, where, out);
  auto dialect_text = sql.text("dialect");
  auto host_text = sql.text("url");
  auto db_text = sql.text("db");
  auto username = sql.text("username");
  auto password = sql.text("password");
  auto login_db = sql.text("login_db");
  auto port_number = sql.port();
  auto query = sql.query();
  for (const auto* r : {&dialect_text, &host_text, &db_text, &username, &password, &login_db})
    if (!*r) return r->error();
  if (!port_number) return port_number.error();
  if (!query) return query.error();

  const std::string host_or_url = host_text->value_or("");
  if (host_or_url.find("://") != std::string::npos)
    return full_url_settings(host_or_url, sql, *login_db, out);

  const std::string dialect = ascii_lower(dialect_text->value_or("sqlite"));
  // `db:` written but empty is Python's None, not the default.
  std::optional<std::string> db = section.contains("db") ? *db_text : "rasa.db";
  const bool has_login_db = login_db->has_value() && !(*login_db)->empty();

  if (dialect == "sqlite") {
    // SQLAlchemy refuses these for SQLite ("Invalid SQLite URL"), so Rasa fails at startup.
    auto refuse = [&](const char* key) {
      return runtime_error(sql.at(key) + "tracker_store: `" + key +
                           "` cannot be used with SQLite, which takes only a file path in `db`");
    };
    if (!host_text->value_or("").empty()) return refuse("url");
    if (port_number->value_or(0) != 0) return refuse("port");
    if (!username->value_or("").empty()) return refuse("username");
    if (!password->value_or("").empty()) return refuse("password");
    if (sql.has("query")) sql.warn("query", "is ignored for SQLite");
    if (has_login_db) {
      // Rasa logs an error and stays connected to login_db instead of db; convo does the same.
      sql.warn("login_db", "is only used with PostgreSQL; like Rasa, convo opens '" + **login_db +
                               "' instead of `db`");
      db = *login_db;
    }
    out.url = !db || db->empty() || *db == ":memory:" ? "memory:" : "sqlite:///" + *db;
    return out;
  }
  if (dialect != "postgresql" && dialect != "postgresql+psycopg2")
    return unsupported_dialect(sql.at("dialect"), dialect);

  std::string host;
  std::optional<int> port = *port_number;
  if (!host_or_url.empty()) {
    auto split = split_host(host_or_url, sql.at("url"));
    if (!split) return split.error();
    host = split->host;
    if (split->port) port = split->port;
  }
  std::string url = "postgresql://";
  if (*username) {
    url += percent_encode(**username);
    if (*password) url += ":" + percent_encode(**password);
    url += "@";
  } else if (*password) {
    sql.warn("password", "is ignored without `username`");
  }
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) url += ":" + std::to_string(*port);
  if (db) url += "/" + percent_encode(*db);
  if (!query->empty()) url += "?" + *query;
  out.url = url;
  out.postgresql_env = dialect == "postgresql";
  if (has_login_db) out.login_db = *login_db;
  return out;
}

// Keys the generic endpoint parser swallows (EndpointConfig's HTTP options): no effect on a store.
bool is_http_option(const std::string& key) {
  return key == "params" || key == "headers" || key == "basic_auth" || key == "token" ||
         key == "token_name" || key == "cafile";
}

bool is_sql_key(const std::string& key) {
  return key == "url" || key == "dialect" || key == "port" || key == "db" || key == "username" ||
         key == "password" || key == "login_db" || key == "query";
}

// Rasa passes unknown keys to the store, which ignores them; convo says so (§1.1 SHOULD).
void warn_unused_keys(const Json& section, const SourceMap& where, bool sql,
                      const std::string& type_key, StoreSettings& out) {
  for (const auto& item : section.items()) {
    const std::string& key = item.key();
    if (key == type_key || (sql && is_sql_key(key))) continue;
    std::string why;
    if (key == "type" || key == "store_type")
      why = "is ignored because `store_type` is given";
    else if (!sql)
      why = "is ignored by the in-memory store (no `type` given)";
    else if (is_http_option(key))
      why = "has no effect on a tracker store (ignored)";
    else if (key == "retrieve_events_from_previous_conversation_sessions")
      why = "(deprecated in Rasa 2.x) is not supported by convo (ignored)";
    else
      why = "is not a setting of the SQL tracker store (ignored)";
    out.warnings.push_back(where.prefix(json_pointer_child("/tracker_store", key)) +
                           "tracker_store: `" + key + "` " + why);
  }
}

// Warnings in the order of the lines they name ("<source>:<line>: ..."), as a reader scans.
void sort_by_line(std::vector<std::string>& warnings, const std::string& source) {
  auto line_of = [&](const std::string& w) {
    return w.rfind(source + ":", 0) == 0 ? std::atoi(w.c_str() + source.size() + 1) : 0;
  };
  std::stable_sort(warnings.begin(), warnings.end(),
                   [&](const auto& a, const auto& b) { return line_of(a) < line_of(b); });
}

}  // namespace

Result<StoreSettings> store_settings_from_config(const EndpointsConfig& endpoints) {
  const Json& section = endpoints.tracker_store;
  const SourceMap& where = endpoints.where;
  if (!section.is_object()) return StoreSettings{"memory:", std::nullopt, false, {}};
  // EndpointConfig: `store_type` wins over `type`, even when it is null.
  const std::string type_key = section.contains("store_type") ? "store_type" : "type";
  const Json type = section.value(type_key, Json());
  const std::string at = where.prefix(json_pointer_child("/tracker_store", type_key));
  if (type.is_null()) {
    StoreSettings out{"memory:", std::nullopt, false, {}};
    warn_unused_keys(section, where, false, type_key, out);
    return out;
  }
  if (!type.is_string())
    return runtime_error(at + "tracker_store: `" + type_key + "` must be text, not " +
                         describe_type(type));
  const std::string name = type.get<std::string>();
  const std::string lower = ascii_lower(name);
  if (lower == "sql") {
    auto out = sql_settings(section, where);
    if (out) {
      warn_unused_keys(section, where, true, type_key, *out);
      sort_by_line(out->warnings, where.source());
    }
    return out;
  }
  const std::string supported =
      " (supported: `type: sql` with dialect sqlite or postgresql; no `type` for in-memory)";
  if (lower == "redis" || lower == "mongod" || lower == "dynamo")
    return usage_error(at + "tracker_store type '" + name + "' is not supported by convo yet" +
                       supported);
  return usage_error(at + "tracker_store type '" + name +
                     "' is not supported by convo: custom tracker store classes cannot be "
                     "loaded" +
                     supported);
}

}  // namespace convo
