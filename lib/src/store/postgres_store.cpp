#include "postgres_store.hpp"
#include "row_collector.hpp"
#include "schema.hpp"

#include "pq_api.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

namespace convo {
namespace {

constexpr const char* kInsertName = "convo_insert_event";
constexpr const char* kInsert =
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES ($1, $2, $3::float8, $4, $5, $6)";

// Advisory-lock namespace ("cnvo"): key 0 guards schema creation, other keys are per-sender.
constexpr const char* kLockSpace = "1668183663";

using PgResult = std::unique_ptr<PGresult, PQclear_forward>;  // PQclear: the forwarder of pq_api.hpp
using Param = std::optional<std::string>;  // text-format parameter; nullopt binds NULL

PgResult exec(PGconn* conn, const std::string& sql, const std::vector<Param>& params = {}) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return PgResult(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0),
                  PQclear);
}

bool ok(const PgResult& r) {
  auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// Full precision, so the FLOAT column holds exactly the event's double.
std::string number_text(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

Param column_param(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return number_text(v.get<double>());
  return std::nullopt;
}

Json number_at(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return Json();
  const char* s = PQgetvalue(r, row, col);
  double d = 0;
  std::from_chars(s, s + PQgetlength(r, row, col), d);  // locale-independent, unlike strtod
  return Json(d);
}

// libpq messages span lines ("...failed: refused\n\tIs the server running..."); ours are one.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The passwords a URL carries (user:PW@ and ?password=PW), so messages can be scrubbed of them.
std::vector<std::pair<std::size_t, std::size_t>> password_spans(const std::string& url) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  auto scheme = url.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::size_t end = std::min(url.find_first_of("/?", start), url.size());
  auto at = url.rfind('@', end);
  if (scheme != std::string::npos && at != std::string::npos && at >= start) {
    auto colon = url.find(':', start);
    if (colon < at) spans.emplace_back(colon + 1, at);
  }
  for (auto q = url.find('?'); q != std::string::npos; q = url.find('&', q + 1)) {
    if (url.compare(q + 1, 9, "password=") != 0) continue;
    std::size_t value = q + 10;
    spans.emplace_back(value, std::min(url.find('&', value), url.size()));
  }
  return spans;
}

std::string scrub(std::string message, const std::string& url) {
  for (const auto& [from, to] : password_spans(url)) {
    std::string secret = url.substr(from, to - from);
    if (secret.empty()) continue;
    for (auto p = message.find(secret); p != std::string::npos; p = message.find(secret, p + 3))
      message.replace(p, secret.size(), "***");
  }
  return message;
}

std::string fnv1a32(const std::string& s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return std::to_string(static_cast<std::int32_t>(h));  // pg_advisory_xact_lock takes int4
}

// "AND timestamp >= $n AND timestamp <= $m AND timestamp < $k" for the bounds given, appending
// their parameters.
std::string window_sql(const std::optional<double>& since, const std::optional<double>& until,
                       const std::optional<double>& before, std::vector<Param>& params) {
  std::string sql;
  if (since) {
    params.push_back(number_text(*since));
    sql += " AND timestamp >= $" + std::to_string(params.size()) + "::float8";
  }
  if (until) {
    params.push_back(number_text(*until));
    sql += " AND timestamp <= $" + std::to_string(params.size()) + "::float8";
  }
  if (before) {
    params.push_back(number_text(*before));
    sql += " AND timestamp < $" + std::to_string(params.size()) + "::float8";
  }
  return sql;
}

// Why a connection failed, as a user can act on it; the host:port names the server tried.
Error connect_error(PGconn* conn, const std::string& url, const std::string& masked) {
  std::string host, port;
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), nullptr)) {
    for (auto* o = opts; o->keyword; ++o) {
      std::string key = o->keyword;
      if (o->val && *o->val && (key == "host" || (key == "hostaddr" && host.empty()))) host = o->val;
      if (o->val && *o->val && key == "port") port = o->val;
    }
    PQconninfoFree(opts);
  }
  if (host.empty()) host = conn && PQhost(conn) && *PQhost(conn) ? PQhost(conn) : "localhost";
  if (port.empty()) port = conn && PQport(conn) && *PQport(conn) ? PQport(conn) : "5432";
  std::string detail = scrub(one_line(conn ? PQerrorMessage(conn) : "out of memory"), url);
  std::string where = masked + ": cannot connect to PostgreSQL at " + host + ":" + port + ": ";
  if (conn && (PQconnectionNeedsPassword(conn) || detail.find("authentication failed") != std::string::npos))
    return Error{ErrorKind::Auth, where + detail};
  if (detail.find("database \"") != std::string::npos && detail.find("does not exist") != std::string::npos)
    return not_found_error(where + detail + " (create it first, e.g. with createdb)");
  return Error{ErrorKind::Upstream, where + detail};
}

}  // namespace

std::string mask_postgres_url(const std::string& url) {
  std::string out = url;
  auto spans = password_spans(url);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it)  // back to front keeps offsets valid
    out.replace(it->first, it->second - it->first, "***");
  return out;
}

Error PostgresStore::failure(const std::string& what, const std::string& detail) const {
  // A dropped connection is the server's failure (exit 5); anything else is a failed operation.
  auto kind = PQstatus(conn_) == CONNECTION_BAD ? ErrorKind::Upstream : ErrorKind::Runtime;
  return Error{kind, masked_url_ + ": " + what + ": " + one_line(detail)};
}

Result<std::unique_ptr<TrackerStore>> PostgresStore::open(const std::string& url, StoreAccess access) {
  std::string masked = mask_postgres_url(url);
  char* parse_err = nullptr;
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), &parse_err)) {
    PQconninfoFree(opts);
  } else {
    std::string why = parse_err ? scrub(one_line(parse_err), url) : "cannot parse it";
    PQfreemem(parse_err);
    return usage_error(masked + ": invalid PostgreSQL URL: " + why);
  }
  // connect_timeout comes first so one given in the URL overrides this default.
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    Error e = connect_error(conn, url, masked);
    PQfinish(conn);
    return e;
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(conn, masked));
  // NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  // Servers before 12 print rounded floats unless asked; 12+ print shortest-exact either way.
  if (!ok(exec(conn, "SET extra_float_digits = 3")) ||
      (access == StoreAccess::ReadOnly && !ok(exec(conn, "SET default_transaction_read_only = on"))))
    return store->failure("cannot set up the session", PQerrorMessage(conn));
  if (access == StoreAccess::ReadWrite) {
    if (auto err = store->prepare_schema()) return *err;
  } else {
    auto check = exec(conn, "SELECT to_regclass('events') IS NOT NULL");
    if (!ok(check)) return store->failure("cannot inspect the database", PQerrorMessage(conn));
    if (std::string(PQgetvalue(check.get(), 0, 0)) != "t")
      return not_found_error(masked + ": not a Rasa tracker database (it has no events table)");
  }
  return std::unique_ptr<TrackerStore>(std::move(store));
}

std::optional<Error> PostgresStore::prepare_schema() {
  auto fail = [&](const std::string& what) {
    Error e = failure(what, PQerrorMessage(conn_));
    exec(conn_, "ROLLBACK");
    return e;
  };
  // Two processes creating the table at once collide in the catalog even with IF NOT EXISTS;
  // the lock makes the second wait and then find the table.
  if (!ok(exec(conn_, "BEGIN")) ||
      !ok(exec(conn_, std::string("SELECT pg_advisory_xact_lock(") + kLockSpace + ", 0)")))
    return fail("cannot lock the schema");
  // Check before creating: CREATE ... IF NOT EXISTS still needs the CREATE privilege, which a
  // role using someone else's Rasa database may lack.
  auto present = exec(conn_, "SELECT to_regclass('events') IS NOT NULL, "
                             "to_regclass('convo_ix_events_session_starts') IS NOT NULL, "
                             "to_regclass('convo_outbox') IS NOT NULL, "
                             "to_regclass('convo_ix_events_sender_type') IS NOT NULL");
  if (!ok(present)) return fail("cannot inspect the database");
  bool has_table = std::string(PQgetvalue(present.get(), 0, 0)) == "t";
  bool has_index = std::string(PQgetvalue(present.get(), 0, 1)) == "t";
  bool has_outbox_table = std::string(PQgetvalue(present.get(), 0, 2)) == "t";
  bool has_legacy_index = std::string(PQgetvalue(present.get(), 0, 3)) == "t";
  if (!has_table && (!ok(exec(conn_, tracker_events_table_sql(SqlDialect::Postgres).c_str())) || !ok(exec(conn_, tracker_events_rasa_index_sql()))))
    return fail("cannot create the events table");
  if (!has_index) {
    // Only a speed-up: a role that does not own the table cannot add it, and that is fine.
    exec(conn_, "SAVEPOINT convo_index");
    if (!ok(exec(conn_, tracker_events_convo_index_sql()))) exec(conn_, "ROLLBACK TO SAVEPOINT convo_index");
  }
  if (has_legacy_index) {
    // An earlier convo's index, replaced by the one above: it only slowed every insert.
    exec(conn_, "SAVEPOINT convo_legacy_index");
    if (!ok(exec(conn_, tracker_events_legacy_index_sql()))) exec(conn_, "ROLLBACK TO SAVEPOINT convo_legacy_index");
  }
  if (!has_outbox_table) {
    // A role without the CREATE privilege can still store events; only enqueueing then fails.
    exec(conn_, "SAVEPOINT convo_outbox");
    if (!ok(exec(conn_, outbox_table_sql(SqlDialect::Postgres).c_str()))) exec(conn_, "ROLLBACK TO SAVEPOINT convo_outbox");
  }
  if (!ok(exec(conn_, "COMMIT"))) return fail("cannot create the events table");
  return std::nullopt;
}

PostgresStore::~PostgresStore() { PQfinish(conn_); }

Result<std::optional<StoredConversation>> PostgresStore::load(const std::string& sender_id,
                                                              const LoadOptions& options) {
  // The last session starts at the last session_started row (insertion order, see
  // docs/compatibility.md); Rasa's own query compares timestamps instead.
  std::vector<Param> params{sender_id};
  std::string sql = "SELECT id, data FROM events WHERE sender_id = $1";
  if (!options.all_sessions)
    sql += " AND id >= COALESCE((SELECT MAX(id) FROM events WHERE sender_id = $1 AND "
           "type_name = 'session_started'), 0)";
  sql += window_sql(options.since, options.until, options.before, params) + " ORDER BY id";
  auto rows = exec(conn_, sql, params);
  if (!ok(rows)) return failure("cannot read events", PQerrorMessage(conn_));
  RowCollector collected(sender_id, options);
  for (int i = 0, n = PQntuples(rows.get()); i < n; ++i)
    collected.add(std::string_view(PQgetvalue(rows.get(), i, 0)),
                  std::string_view(PQgetvalue(rows.get(), i, 1), static_cast<std::size_t>(PQgetlength(rows.get(), i, 1))));
  if (collected.empty()) {
    auto any = exec(conn_, "SELECT 1 FROM events WHERE sender_id = $1 LIMIT 1", {sender_id});
    if (!ok(any)) return failure("cannot read events", PQerrorMessage(conn_));
    if (PQntuples(any.get()) == 0) return std::optional<StoredConversation>();
  }
  return std::optional<StoredConversation>(collected.finish());
}

std::optional<Error> PostgresStore::write(const std::string& sender_id, const std::vector<EventPtr>& events,
                                          const std::vector<std::string>& outbox, bool replace_existing) {
  auto rollback = [&](const std::string& what) {
    Error e = failure(what, PQerrorMessage(conn_));
    exec(conn_, "ROLLBACK");
    return e;
  };
  if (!ok(exec(conn_, "BEGIN"))) return rollback("cannot start a transaction");
  // Concurrent writers to one conversation queue on this lock (released at COMMIT/ROLLBACK), so
  // each batch gets consecutive ids and commits in id order: whole batches, never interleaved.
  // Other conversations are not held up.
  if (!ok(exec(conn_, std::string("SELECT pg_advisory_xact_lock(") + kLockSpace + ", $1::int4)",
               {fnv1a32(sender_id)})))
    return rollback("cannot lock the conversation");
  if (replace_existing && !ok(exec(conn_, "DELETE FROM events WHERE sender_id = $1", {sender_id})))
    return rollback("cannot delete events");
  if (!insert_prepared_ && !events.empty()) {
    PgResult prepared(PQprepare(conn_, kInsertName, kInsert, 6, nullptr), PQclear);
    if (!ok(prepared)) return rollback("cannot insert events");
    insert_prepared_ = true;
  }
  for (const auto& e : events) {
    EventRow row = event_row(*e);
    Param values[] = {sender_id, row.type_name, column_param(row.timestamp),
                      column_param(row.intent_name), column_param(row.action_name), row.data};
    const char* ptrs[6];
    for (int i = 0; i < 6; ++i) ptrs[i] = values[i] ? values[i]->c_str() : nullptr;
    PgResult inserted(PQexecPrepared(conn_, kInsertName, 6, ptrs, nullptr, nullptr, 0), PQclear);
    if (!ok(inserted)) return rollback("cannot insert an event");
  }
  if (!outbox.empty()) {
    // One statement for the whole outbox: the bodies arrive as one text[] parameter and keep
    // their order (WITH ORDINALITY), so ids increase in enqueue order.
    std::string array = "{";
    for (const auto& body : outbox) {
      if (array.size() > 1) array += ',';
      array += '"';
      for (char c : body) {
        if (c == '"' || c == '\\') array += '\\';
        array += c;
      }
      array += '"';
    }
    array += '}';
    if (!ok(exec(conn_,
                 "INSERT INTO convo_outbox (sender_id, body, enqueued_at) "
                 "SELECT $1, b, $3::float8 FROM unnest($2::text[]) WITH ORDINALITY AS t(b, n) ORDER BY n",
                 {sender_id, array, number_text(wall_clock_now())})))
      return rollback("cannot enqueue broker messages");
  }
  if (!ok(exec(conn_, "COMMIT"))) return rollback("commit failed");
  return std::nullopt;
}

// A database Rasa created, opened read-only (or by a role that may not create tables), may have
// no outbox: then it is empty.
Result<bool> PostgresStore::has_outbox() {
  auto r = exec(conn_, "SELECT to_regclass('convo_outbox') IS NOT NULL");
  if (!ok(r)) return failure("cannot inspect the database", PQerrorMessage(conn_));
  return std::string(PQgetvalue(r.get(), 0, 0)) == "t";
}

Result<std::vector<OutboxMessage>> PostgresStore::outbox_peek(std::size_t limit) {
  std::vector<OutboxMessage> out;
  auto present = has_outbox();
  if (!present) return present.error();
  if (!*present || limit == 0) return out;
  auto rows = exec(conn_, "SELECT id, sender_id, body FROM convo_outbox ORDER BY id LIMIT $1::int8",
                   {std::to_string(std::min<std::size_t>(limit, INT64_MAX))});
  if (!ok(rows)) return failure("cannot read the outbox", PQerrorMessage(conn_));
  for (int i = 0, n = PQntuples(rows.get()); i < n; ++i)
    out.push_back({std::stoll(PQgetvalue(rows.get(), i, 0)), PQgetvalue(rows.get(), i, 1),
                   std::string(PQgetvalue(rows.get(), i, 2), static_cast<std::size_t>(PQgetlength(rows.get(), i, 2)))});
  return out;
}

std::optional<Error> PostgresStore::outbox_remove(std::int64_t up_to_id) {
  auto present = has_outbox();
  if (!present) return present.error();
  if (!*present) return std::nullopt;
  if (!ok(exec(conn_, "DELETE FROM convo_outbox WHERE id <= $1::int8", {std::to_string(up_to_id)})))
    return failure("cannot remove sent broker messages", PQerrorMessage(conn_));
  return std::nullopt;
}

Result<std::optional<std::int64_t>> PostgresStore::version(const std::string& sender_id) {
  // Ids come from a sequence and are never reused: the last one changes with every write.
  auto r = exec(conn_, "SELECT COALESCE(MAX(id), 0) FROM events WHERE sender_id = $1", {sender_id});
  if (!ok(r)) return failure("cannot read events", PQerrorMessage(conn_));
  return std::optional<std::int64_t>(std::stoll(PQgetvalue(r.get(), 0, 0)));
}

Result<std::size_t> PostgresStore::outbox_depth() {
  auto present = has_outbox();
  if (!present) return present.error();
  if (!*present) return std::size_t{0};
  auto r = exec(conn_, "SELECT COUNT(*) FROM convo_outbox");
  if (!ok(r)) return failure("cannot count the outbox", PQerrorMessage(conn_));
  return static_cast<std::size_t>(std::stoull(PQgetvalue(r.get(), 0, 0)));
}

Result<std::vector<ConversationSummary>> PostgresStore::list(const ListOptions& options) {
  std::vector<Param> params;
  // COLLATE "C" orders by bytes like SQLite, whatever the database's locale.
  std::string sql = "SELECT sender_id, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events WHERE TRUE" +
                    window_sql(options.since, options.until, std::nullopt, params) +
                    " GROUP BY sender_id ORDER BY sender_id COLLATE \"C\"";
  auto rows = exec(conn_, sql, params);
  if (!ok(rows)) return failure("cannot list conversations", PQerrorMessage(conn_));
  std::vector<ConversationSummary> out;
  for (int i = 0, n = PQntuples(rows.get()); i < n; ++i)
    out.push_back({PQgetvalue(rows.get(), i, 0),
                   static_cast<std::size_t>(std::stoull(PQgetvalue(rows.get(), i, 1))),
                   number_at(rows.get(), i, 2), number_at(rows.get(), i, 3)});
  return out;
}

}  // namespace convo
