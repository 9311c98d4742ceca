#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "convo/store/tracker_store.hpp"
#include "store_contract.hpp"
#include "test_db.hpp"

using namespace convo;
using convo::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> query_rows(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  sqlite3_exec(
      h, sql.c_str(),
      [](void* out, int n, char** values, char**) {
        std::string row;
        for (int i = 0; i < n; ++i) row += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
        static_cast<std::vector<std::string>*>(out)->push_back(row);
        return 0;
      },
      &rows, nullptr);
  sqlite3_close(h);
  return rows;
}

// Runs the sqlite3 command-line shell, as a user would to build a database by hand.
void sqlite3_cli(const fs::path& db, const std::string& sql) {
  fs::path script = db.parent_path() / "script.sql";
  std::ofstream(script) << sql;
  std::string cmd = "sqlite3 '" + db.string() + "' < '" + script.string() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// The DDL Rasa 2.8's SQLTrackerStore creates on SQLite (SQLAlchemy's rendering).
const char* kRasaDdl =
    "CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
    "action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));\n"
    "CREATE INDEX ix_events_sender_id ON events (sender_id);\n";

// Rasa's table holding these rows, each "('sender', 'type', timestamp, 'data')", as SQL for sqlite3.
std::string rasa_table_with(const std::vector<std::string>& rows, const std::string& more_ddl = "") {
  std::string sql = std::string(kRasaDdl) + more_ddl + "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ";
  for (std::size_t i = 0; i < rows.size(); ++i) sql += (i ? ", " : "") + rows[i];
  return sql + ";\n";
}

// Every session of `sender` in `db`, read twice: as texts, and decoded while read (with `ctx`).
struct ReadBothWays {
  StoredConversation texts, decoded;
};
ReadBothWays read_both_ways(const fs::path& db, const std::string& sender, const ParseContext& ctx) {
  auto store = open_store(db.string(), StoreAccess::ReadOnly);
  REQUIRE(store.ok());
  ReadBothWays out;
  for (bool decode : {false, true}) {
    LoadOptions options;
    options.all_sessions = true;
    if (decode) options.decode = &ctx;
    auto loaded = (*store)->load(sender, options);
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    (decode ? out.decoded : out.texts) = std::move(**loaded);
  }
  return out;
}

}  // namespace

TEST_CASE("SQLite store: the store contract") {
  TempDir dir;
  int n = 0;
  test::check_store_contract([&] {
    auto store = open_store("sqlite:///" + (dir.path / ("t" + std::to_string(++n) + ".db")).string(),
                            StoreAccess::ReadWrite);
    REQUIRE(store.ok());
    return std::move(*store);
  });
}

TEST_CASE("memory store: the store contract") {
  test::check_store_contract([] {
    auto store = open_store("memory:", StoreAccess::ReadWrite);
    REQUIRE(store.ok());
    return std::move(*store);
  });
}

TEST_CASE("SQLite store reads a database Rasa wrote") {
  TempDir dir;
  fs::path db = dir.path / "rasa.db";
  // Rows as Rasa's SQLTrackerStore writes them: json.dumps text, ordered by timestamp.
  sqlite3_cli(db, std::string(kRasaDdl) +
      "INSERT INTO events VALUES (1,'default','action',1628072400.01,NULL,'action_session_start',"
      "'{\"event\": \"action\", \"timestamp\": 1628072400.01, \"name\": \"action_session_start\", "
      "\"policy\": null, \"confidence\": 1.0, \"action_text\": null, \"hide_rule_turn\": false}');\n"
      "INSERT INTO events VALUES (2,'default','session_started',1628072400.02,NULL,NULL,"
      "'{\"event\": \"session_started\", \"timestamp\": 1628072400.02}');\n"
      "INSERT INTO events VALUES (3,'default','user',1628072401.5,'greet',NULL,"
      "'{\"event\": \"user\", \"timestamp\": 1628072401.5, \"text\": \"h\\u00e9\", \"parse_data\": "
      "{\"intent\": {\"name\": \"greet\", \"confidence\": 1.0}, \"entities\": []}, "
      "\"input_channel\": \"rest\", \"message_id\": \"m\", \"metadata\": {}}');\n"
      "INSERT INTO events VALUES (4,'default','slot',1628072402.0,NULL,'name','not json at all');\n");
  auto store = open_store(db.string(), StoreAccess::ReadOnly);
  REQUIRE(store.ok());
  LoadOptions all;
  all.all_sessions = true;
  auto loaded = (*store)->load("default", all);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const auto& conv = **loaded;
  REQUIRE(conv.events.items.size() == 3);
  CHECK(conv.events.to_json()[2]["text"] == "hé");  // \u escapes decoded
  REQUIRE(conv.warnings.size() == 1);     // the broken row is reported with its id, not fatal
  CHECK(conv.warnings[0].rfind("row 4:", 0) == 0);
}

TEST_CASE("SQLite store writes rows Rasa can read: schema and columns") {
  TempDir dir;
  fs::path db = dir.path / "convo.db";
  {
    auto store = open_store("sqlite:///" + db.string(), StoreAccess::ReadWrite);
    REQUIRE(store.ok());
    REQUIRE_FALSE((*store)->append("x", test::events_of(R"([
      {"event": "user", "timestamp": 10.5, "text": "ça", "parse_data": {"intent": {"name": "hi"}}},
      {"event": "slot", "timestamp": 11, "name": "city", "value": "Zürich"},
      {"event": "action", "timestamp": 12.0, "name": "utter_x", "confidence": 0.5},
      {"event": "restart", "timestamp": 13.0}
    ])")));
  }
  // Rasa's columns, in Rasa's order and types.
  CHECK(query_rows(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('events')") ==
        std::vector<std::string>{"id|INTEGER|1|1", "sender_id|VARCHAR(255)|1|0",
                                 "type_name|VARCHAR(255)|1|0", "timestamp|FLOAT|0|0",
                                 "intent_name|VARCHAR(255)|0|0", "action_name|VARCHAR(255)|0|0",
                                 "data|TEXT|0|0"});
  CHECK(query_rows(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='ix_events_sender_id'") ==
        std::vector<std::string>{"1"});
  // Column contents as §8.5; data as Python's json.dumps (ASCII-escaped, ", " and ": ").
  auto rows = query_rows(db, "SELECT sender_id, type_name, timestamp, intent_name, action_name FROM events ORDER BY id");
  CHECK(rows == std::vector<std::string>{"x|user|10.5|hi|NULL", "x|slot|11.0|NULL|city",
                                         "x|action|12.0|NULL|utter_x", "x|restart|13.0|NULL|NULL"});
  auto data = query_rows(db, "SELECT data FROM events WHERE type_name = 'slot'");
  CHECK(data == std::vector<std::string>{
                    R"({"event": "slot", "timestamp": 11, "name": "city", "value": "Z\u00fcrich"})"});
  CHECK(query_rows(db, "PRAGMA journal_mode") == std::vector<std::string>{"wal"});
  // convo's own index holds the session_started rows only: the other inserts touch one index.
  CHECK(query_rows(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name") ==
        std::vector<std::string>{"convo_ix_events_session_starts", "ix_events_sender_id"});
}

TEST_CASE("SQLite store: the last-session lookup uses convo's partial index; an earlier convo's index goes") {
  TempDir dir;
  fs::path db = dir.path / "old.db";
  // A database an earlier convo made: Rasa's table with the (sender_id, type_name) index.
  sqlite3_cli(db, rasa_table_with({R"(('a', 'session_started', 1, '{"event": "session_started", "timestamp": 1}'))",
                                   R"(('a', 'user', 2, '{"event": "user", "timestamp": 2, "text": "one"}'))",
                                   R"(('a', 'session_started', 3, '{"event": "session_started", "timestamp": 3}'))",
                                   R"(('a', 'user', 4, '{"event": "user", "timestamp": 4, "text": "two"}'))"},
                                  "CREATE INDEX convo_ix_events_sender_type ON events (sender_id, type_name);\n"));
  {
    auto reader = open_store(db.string(), StoreAccess::ReadOnly);
    REQUIRE(reader.ok());
  }
  CHECK(query_rows(db, "SELECT name FROM sqlite_master WHERE name LIKE 'convo_ix%'") ==
        std::vector<std::string>{"convo_ix_events_sender_type"});  // reading changes nothing
  auto store = open_store(db.string(), StoreAccess::ReadWrite);
  REQUIRE(store.ok());
  CHECK(query_rows(db, "SELECT name FROM sqlite_master WHERE name LIKE 'convo_ix%'") ==
        std::vector<std::string>{"convo_ix_events_session_starts"});
  auto last = (*store)->load("a", {});
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  REQUIRE((**last).events.items.size() == 2);  // from the second session_started on
  CHECK((**last).events.to_json()[1]["text"] == "two");
  CHECK(query_rows(db, "EXPLAIN QUERY PLAN SELECT MAX(id) FROM events WHERE sender_id = 'a' AND "
                       "type_name = 'session_started'")
            .back()
            .find("convo_ix_events_session_starts") != std::string::npos);
}

TEST_CASE("SQLite store: rows decoded while they are read are the events their texts decode to") {
  TempDir dir;
  fs::path db = dir.path / "rows.db";
  // Rows as Rasa writes them (json.dumps), one in another style, one Rasa would not read back, and
  // one that is not an event object.
  sqlite3_cli(db, rasa_table_with({
      R"(('a', 'slot', 1, '{"event": "slot", "timestamp": 1.5, "name": "city", "value": ["Z\u00fcrich", 2]}'))",
      R"(('a', 'user', 2, '{"event":"user","timestamp":2,"text":"hi","parse_data":{"intent":{"name":"greet","confidence":1.0},"entities":[]}}'))",
      R"(('a', 'bot', 3, '{"event": "bot", "timestamp": NaN}'))",
      R"(('a', 'slot', 4, '[1, 2]'))",
      R"(('a', 'action', 5, '{"event": "action", "timestamp": 5, "name": "utter_x", "policy": null, "confidence": 0.25}'))"}));
  const ParseContext ctx = system_parse_context();
  const ReadBothWays read = read_both_ways(db, "a", ctx);
  const StoredConversation& t = read.texts;
  const StoredConversation& d = read.decoded;
  CHECK(d.events.items.empty());
  REQUIRE(d.decoded);
  CHECK(d.warnings == t.warnings);
  CHECK(d.warnings.size() == 2);  // the NaN row and the list
  CHECK(d.size() == t.size());
  ParsedEvents want = parse_events(t.events, ctx);
  REQUIRE(d.decoded->events.size() == want.events.size());
  REQUIRE(want.events.size() == 3);
  for (std::size_t i = 0; i < want.events.size(); ++i) {
    CHECK(d.decoded->events[i]->data() == want.events[i]->data());
    CHECK(d.decoded->events[i]->get("value") == want.events[i]->get("value"));
  }
  CHECK(d.decoded->events[0]->get("value") == Json::array({"Zürich", 2}));
}

TEST_CASE("SQLite store: a long conversation, read on two threads, is what one pass reads") {
  // 5,000 rows: the first ones are read inline, the rest go through the helper thread in chunks
  // (row_collector.hpp), the last chunk a partial one. Every 777th row is not an event object.
  TempDir dir;
  fs::path db = dir.path / "long.db";
  const int n = 5000;
  sqlite3_cli(db, std::string(kRasaDdl) +
                      "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5000) "
                      "INSERT INTO events (id, sender_id, type_name, timestamp, data) SELECT i, 'a', 'slot', i, "
                      "CASE WHEN i % 777 = 0 THEN '[1, 2]' ELSE '{\"event\": \"slot\", \"timestamp\": ' || i || "
                      "', \"name\": \"s\", \"value\": \"v' || i || '\"}' END FROM k;\n");
  const ParseContext ctx = system_parse_context();
  const ReadBothWays read = read_both_ways(db, "a", ctx);
  const StoredConversation& t = read.texts;
  std::vector<std::string> want_texts, want_warnings;
  for (int i = 1; i <= n; ++i) {
    if (i % 777 == 0) want_warnings.push_back("row " + std::to_string(i) + ": data is an array, not an event object; skipped");
    else want_texts.push_back(R"({"event":"slot","timestamp":)" + std::to_string(i) + R"(,"name":"s","value":"v)" + std::to_string(i) + "\"}");
  }
  CHECK(t.events.items == want_texts);
  CHECK(t.warnings == want_warnings);

  const StoredConversation& d = read.decoded;
  REQUIRE(d.decoded);
  CHECK(d.warnings == want_warnings);
  REQUIRE(d.decoded->events.size() == want_texts.size());
  CHECK(d.decoded->items == want_texts.size());
  for (std::size_t i = 0; i < want_texts.size(); ++i) {
    INFO(i);
    CHECK(d.decoded->source_index[i] == i);
    std::string text;
    d.decoded->events[i]->append_compact(text);
    CHECK(text == want_texts[i]);
  }
}

TEST_CASE("SQLite store: read-only access never creates or changes files") {
  TempDir dir;
  fs::path missing = dir.path / "missing.db";
  auto store = open_store(missing.string(), StoreAccess::ReadOnly);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().kind == ErrorKind::NotFound);
  CHECK(store.error().message.find("missing.db") != std::string::npos);
  CHECK_FALSE(fs::exists(missing));

  fs::path empty = dir.path / "empty.db";
  sqlite3_cli(empty, "CREATE TABLE other (x);\n");
  auto not_rasa = open_store(empty.string(), StoreAccess::ReadOnly);
  REQUIRE_FALSE(not_rasa.ok());
  CHECK(not_rasa.error().message.find("no events table") != std::string::npos);
}

TEST_CASE("open_store rejects URLs it does not know") {
  auto bad = open_store("mongodb://localhost/rasa", StoreAccess::ReadOnly);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Usage);
}
