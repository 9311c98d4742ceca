// Rasa's tables, defined once: the SQL tracker store's `events` table (as SQLAlchemy renders it
// for each dialect, spec §8.4), convo's own index and outbox beside it, and the SQL event
// broker's `events (id, sender_id, data)` table (§6). Extra tables and indexes are invisible to Rasa.
#pragma once

#include <string>

namespace convo {

enum class SqlDialect { Sqlite, Postgres };

// CREATE TABLE events (...) without a trailing semicolon.
std::string tracker_events_table_sql(SqlDialect dialect);
// Rasa's ix_events_sender_id and convo's index of session_started rows (the last-session
// lookup), one statement each; the second replaces the (sender_id, type_name) index of convo
// before 0.9, which the third drops.
const char* tracker_events_rasa_index_sql();
const char* tracker_events_convo_index_sql();
const char* tracker_events_legacy_index_sql();
// convo_outbox: broker messages committed with the events they announce.
std::string outbox_table_sql(SqlDialect dialect);
// Rasa's SQL event broker table.
const char* broker_events_table_sql();

}  // namespace convo
