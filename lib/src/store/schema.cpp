#include "schema.hpp"

namespace convo {

std::string tracker_events_table_sql(SqlDialect dialect) {
  return std::string("CREATE TABLE IF NOT EXISTS events (\n") +
         (dialect == SqlDialect::Sqlite ? "  id INTEGER NOT NULL,\n" : "  id SERIAL NOT NULL,\n") +
         "  sender_id VARCHAR(255) NOT NULL,\n"
         "  type_name VARCHAR(255) NOT NULL,\n"
         "  timestamp FLOAT,\n"
         "  intent_name VARCHAR(255),\n"
         "  action_name VARCHAR(255),\n"
         "  data TEXT,\n"
         "  PRIMARY KEY (id)\n"
         ")";
}

const char* tracker_events_rasa_index_sql() { return "CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)"; }

const char* tracker_events_convo_index_sql() {
  // Partial: only session_started rows, so an ordinary event's insert touches one index, not two.
  return "CREATE INDEX IF NOT EXISTS convo_ix_events_session_starts ON events (sender_id) "
         "WHERE type_name = 'session_started'";
}

const char* tracker_events_legacy_index_sql() { return "DROP INDEX IF EXISTS convo_ix_events_sender_type"; }

std::string outbox_table_sql(SqlDialect dialect) {
  return std::string("CREATE TABLE IF NOT EXISTS convo_outbox (\n") +
         (dialect == SqlDialect::Sqlite ? "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n" : "  id BIGSERIAL PRIMARY KEY,\n") +
         "  sender_id VARCHAR(255) NOT NULL,\n"
         "  body TEXT NOT NULL,\n"
         "  enqueued_at FLOAT\n"
         ")";
}

const char* broker_events_table_sql() {
  return "CREATE TABLE IF NOT EXISTS events (\n"
         "  id INTEGER NOT NULL,\n"
         "  sender_id VARCHAR(255),\n"
         "  data TEXT,\n"
         "  PRIMARY KEY (id)\n"
         ")";
}

}  // namespace convo
