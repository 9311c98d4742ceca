// Ingest sinks against real SQLite files: exactly-once rows Rasa's schema can read, offsets,
// dead letters, all-or-nothing batches; the NDJSON sink on a real stream.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "convo/store/ingest.hpp"
#include "convo/store/tracker_store.hpp"
#include "../../support/sha256.hpp"
#include "store_contract.hpp"
#include "test_db.hpp"

using namespace convo;
using convo::test::TempDir;
using convo::test::sql;
namespace fs = std::filesystem;

namespace {

InboundMessage kafka(const std::string& body, std::int32_t partition, std::int64_t offset) {
  InboundMessage m;
  m.body = body;
  m.source = "kafka:rasa_events";
  m.topic = "rasa_events";
  m.partition = partition;
  m.offset = offset;
  return m;
}

InboundMessage amqp(const std::string& body, std::vector<Header> headers = {}) {
  InboundMessage m;
  m.body = body;
  m.source = "amqp:rasa_core_events";
  m.headers = std::move(headers);
  return m;
}

std::unique_ptr<IngestSink> open_ok(const std::string& url, const IngestOptions& options = {}) {
  auto sink = open_sqlite_ingest(url, options);
  INFO((sink.ok() ? "" : sink.error().message));
  REQUIRE(sink.ok());
  return std::move(*sink);
}

IngestCounts write_ok(IngestSink& sink, const std::vector<InboundMessage>& batch) {
  auto counts = sink.write(batch);
  INFO((counts.ok() ? "" : counts.error().message));
  REQUIRE(counts.ok());
  return *counts;
}

// Two events of one conversation as Rasa publishes them, and the same events without sender_id.
const char* kGreet =
    R"({"sender_id": "u1", "event": "user", "timestamp": 10.5, "text": "h\u00e9", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}})";
const char* kGreetExportOrder =
    R"({"event": "user", "timestamp": 10.5, "text": "hé", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}, "sender_id": "u1"})";
const char* kListen = R"({"sender_id": "u1", "event": "action", "timestamp": 11, "name": "action_listen"})";
const char* kOther = R"({"sender_id": "u2", "event": "slot", "timestamp": 12.0, "name": "city", "value": "Köln"})";
const char* kExpectedU1 = R"([
  {"event": "user", "timestamp": 10.5, "text": "hé", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}},
  {"event": "action", "timestamp": 11, "name": "action_listen"}
])";

Json stored_events(const std::string& url, const std::string& sender) {
  auto store = open_store(url, StoreAccess::ReadOnly);
  REQUIRE(store.ok());
  LoadOptions all;
  all.all_sessions = true;
  auto loaded = (*store)->load(sender, all);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK((**loaded).warnings.empty());
  return (**loaded).events.to_json();
}

Json expected(const char* json_array) {
  Json out = Json::array();
  for (const auto& e : test::events_of(json_array)) out.push_back(e->data());
  return out;
}

}  // namespace

TEST_CASE("SQLite ingest: valid events stored once, duplicates skipped, malformed dead-lettered", "[ingest]") {
  TempDir dir;
  fs::path db = dir.path / "ingest.db";
  std::string url = "sqlite:///" + db.string();
  auto sink = open_ok(url);
  IngestCounts c = write_ok(*sink, {kafka(kGreet, 0, 0), kafka("not json {", 0, 1), kafka(kListen, 0, 2),
                                    kafka(R"({"event": "action", "name": "x"})", 0, 3),
                                    kafka(R"({"sender_id": 7, "event": "action", "name": "x"})", 0, 4),
                                    kafka(R"({"sender_id": "u1", "event": "no_such_event"})", 0, 5),
                                    kafka(kGreet, 0, 6), kafka(kOther, 1, 0)});
  CHECK(c.stored == 3);
  CHECK(c.duplicates == 1);
  CHECK(c.malformed == 4);

  // Rasa's store reads the rows back as the events that were published.
  CHECK(stored_events(url, "u1").dump() == expected(kExpectedU1).dump());
  CHECK(stored_events(url, "u2").dump() ==
        expected(R"([{"event": "slot", "timestamp": 12.0, "name": "city", "value": "Köln"}])").dump());
  CHECK(sql(db, "SELECT sender_id, type_name, timestamp, intent_name, action_name FROM events ORDER BY id") ==
        std::vector<std::string>{"u1|user|10.5|greet|NULL", "u1|action|11.0|NULL|action_listen",
                                 "u2|slot|12.0|NULL|city"});

  // The side table links each digest to its row and keeps the coordinates.
  CHECK(sql(db, "SELECT e.sender_id, i.source, i.topic, i.partition, i.\"offset\", i.export_id, length(i.digest) "
                "FROM convo_ingest i JOIN events e ON e.id = i.event_id ORDER BY i.event_id") ==
        std::vector<std::string>{"u1|kafka:rasa_events|rasa_events|0|0|NULL|16",
                                 "u1|kafka:rasa_events|rasa_events|0|2|NULL|16",
                                 "u2|kafka:rasa_events|rasa_events|1|0|NULL|16"});

  // Dead letters keep the reason and the exact bytes.
  auto dead = sql(db, "SELECT partition, \"offset\", reason, CAST(body AS TEXT) FROM convo_dead_letters ORDER BY id");
  REQUIRE(dead.size() == 4);
  CHECK(dead[0].rfind("0|1|not JSON: ", 0) == 0);
  CHECK(dead[0].substr(dead[0].rfind('|') + 1) == "not json {");
  CHECK(dead[1].rfind("0|3|no sender_id|", 0) == 0);
  CHECK(dead[2].rfind("0|4|sender_id is ", 0) == 0);
  CHECK(dead[3].rfind("0|5|invalid event: ", 0) == 0);

  // Offsets: the next one to read per partition, malformed messages included.
  CHECK(sink->stored_offset("rasa_events", 0)->value() == 7);
  CHECK(sink->stored_offset("rasa_events", 1)->value() == 1);
  CHECK_FALSE(sink->stored_offset("rasa_events", 2)->has_value());
  CHECK_FALSE(sink->stored_offset("other_topic", 0)->has_value());
}

TEST_CASE("SQLite ingest: a redelivered event never makes a second row", "[ingest]") {
  TempDir dir;
  fs::path db = dir.path / "ingest.db";
  std::string url = "sqlite:///" + db.string();
  auto sink = open_ok(url);
  write_ok(*sink, {amqp(kGreet), amqp(kListen)});
  // Redelivery, an export of the same history (sender_id last, header set), and a reopen.
  InboundMessage redelivered = amqp(kGreet);
  redelivered.redelivered = true;
  IngestCounts again = write_ok(*sink, {redelivered, amqp(kGreetExportOrder, {{kExportHeader, "0123456789abcdef0123456789abcdef"}})});
  CHECK(again.stored == 0);
  CHECK(again.duplicates == 2);
  sink.reset();
  auto reopened = open_ok(db.string());  // a plain path works too
  IngestCounts third = write_ok(*reopened, {amqp(kListen), amqp(kOther, {{kExportHeader, "abc"}})});
  CHECK(third.stored == 1);
  CHECK(third.duplicates == 1);
  CHECK(sql(db, "SELECT COUNT(*) FROM events WHERE sender_id = 'u1'") == std::vector<std::string>{"2"});
  CHECK(stored_events(url, "u1").dump() == expected(kExpectedU1).dump());
  // AMQP messages have no Kafka coordinates; the export id is kept.
  CHECK(sql(db, "SELECT source, topic, partition, \"offset\", export_id FROM convo_ingest ORDER BY event_id") ==
        std::vector<std::string>{"amqp:rasa_core_events|NULL|NULL|NULL|NULL",
                                 "amqp:rasa_core_events|NULL|NULL|NULL|NULL",
                                 "amqp:rasa_core_events|NULL|NULL|NULL|abc"});
  CHECK(sql(db, "SELECT COUNT(*) FROM convo_kafka_offsets") == std::vector<std::string>{"0"});
}

TEST_CASE("SQLite ingest: offsets merge by maximum and survive a reopen", "[ingest]") {
  TempDir dir;
  fs::path db = dir.path / "ingest.db";
  {
    auto sink = open_ok("sqlite:///" + db.string());
    write_ok(*sink, {kafka(kGreet, 0, 41), kafka(kListen, 0, 40), kafka(kOther, 3, 9)});
    CHECK(sink->stored_offset("rasa_events", 0)->value() == 42);
    write_ok(*sink, {kafka(kGreet, 0, 5)});  // an older offset does not move it back
    CHECK(sink->stored_offset("rasa_events", 0)->value() == 42);
    write_ok(*sink, {kafka("x", 0, 100)});  // a malformed message still counts as read
    CHECK(sink->stored_offset("rasa_events", 0)->value() == 101);
  }
  auto sink = open_ok("sqlite:///" + db.string());
  CHECK(sink->stored_offset("rasa_events", 0)->value() == 101);
  CHECK(sink->stored_offset("rasa_events", 3)->value() == 10);
}

TEST_CASE("SQLite ingest: a failing batch stores nothing, and the retry stores it all", "[ingest]") {
  TempDir dir;
  fs::path db = dir.path / "ingest.db";
  fs::path dead_file = dir.path / "dead.ndjson";
  IngestOptions options;
  options.dead_letter_file = dead_file.string();
  auto sink = open_ok("sqlite:///" + db.string(), options);
  sql(db, "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.sender_id = 'u2' "
          "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
  std::vector<InboundMessage> batch{kafka(kGreet, 0, 0), kafka("oops", 0, 1), kafka(kOther, 0, 2)};
  auto failed = sink->write(batch);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("poisoned") != std::string::npos);
  CHECK(sql(db, "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM convo_ingest) + "
                "(SELECT COUNT(*) FROM convo_dead_letters) + (SELECT COUNT(*) FROM convo_kafka_offsets)") ==
        std::vector<std::string>{"0"});
  CHECK(fs::file_size(dead_file) == 0);  // no dead-letter line for a batch that was rolled back
  CHECK_FALSE(sink->stored_offset("rasa_events", 0)->has_value());

  sql(db, "DROP TRIGGER poison");
  IngestCounts c = write_ok(*sink, batch);
  CHECK(c.stored == 2);
  CHECK(c.malformed == 1);
  CHECK(sink->stored_offset("rasa_events", 0)->value() == 3);
  // With a dead-letter file the table stays empty; the file has one NDJSON line per message.
  CHECK(sql(db, "SELECT COUNT(*) FROM convo_dead_letters") == std::vector<std::string>{"0"});
  std::ifstream in(dead_file);
  std::string line, rest;
  REQUIRE(std::getline(in, line));
  CHECK_FALSE(std::getline(in, rest));
  Json entry = Json::parse(line);
  std::vector<std::string> keys;
  for (const auto& item : entry.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"received_at", "source", "topic", "partition", "offset", "reason", "body"});
  CHECK(entry["source"] == "kafka:rasa_events");
  CHECK(entry["topic"] == "rasa_events");
  CHECK(entry["partition"] == 0);
  CHECK(entry["offset"] == 1);
  CHECK(entry["body"] == "oops");
  CHECK(entry["reason"].get<std::string>().rfind("not JSON: ", 0) == 0);
  CHECK(entry["received_at"].is_number());
}

TEST_CASE("SQLite ingest: only SQLite URLs", "[ingest]") {
  for (const char* url : {"postgresql://u:pw@localhost/db", "memory:", "redis://localhost", "sqlite:///"}) {
    auto sink = open_sqlite_ingest(url, {});
    REQUIRE_FALSE(sink.ok());
    CHECK(sink.error().kind == ErrorKind::Usage);
    CHECK(sink.error().message.find("consumers store into SQLite only") != std::string::npos);
  }
}

TEST_CASE("NDJSON sink: broker bodies on the stream, malformed to the dead-letter file", "[ingest]") {
  TempDir dir;
  fs::path out_path = dir.path / "out.ndjson";
  fs::path dead_file = dir.path / "dead.ndjson";
  std::FILE* out = std::fopen(out_path.c_str(), "w");
  REQUIRE(out);
  IngestOptions options;
  options.dead_letter_file = dead_file.string();
  auto sink = make_ndjson_sink(out, options);
  auto c = sink->write({amqp(kGreetExportOrder), amqp("[1]"), amqp(kListen), amqp(kListen)});
  REQUIRE(c.ok());
  CHECK(c->stored == 3);  // no deduplication here
  CHECK(c->malformed == 1);
  CHECK_FALSE(sink->stored_offset("rasa_events", 0)->has_value());
  // Rasa 2.8's ActionExecuted.as_dict adds its optional keys.
  std::string listen_line = R"({"sender_id": "u1", "event": "action", "timestamp": 11, "name": "action_listen", )"
                            R"("policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false})";
  std::ifstream in(out_path);  // readable before close: the sink flushed the batch
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 3);
  // Live order (sender_id first) with Python's separators and ASCII escapes.
  // Live order (sender_id first), the event as Rasa serialises it, ASCII escapes.
  Json first = Json::parse(lines[0]);
  CHECK(first.begin().key() == "sender_id");
  CHECK(first["sender_id"] == "u1");
  first.erase("sender_id");
  CHECK(first.dump() == expected(kExpectedU1)[0].dump());
  CHECK(lines[0].find(R"("text": "h\u00e9")") != std::string::npos);
  CHECK(lines[1] == listen_line);
  CHECK(lines[1] == lines[2]);
  std::ifstream dead(dead_file);
  std::string entry;
  REQUIRE(std::getline(dead, entry));
  CHECK(Json::parse(entry)["reason"].get<std::string>().rfind("not a JSON object", 0) == 0);
  std::fclose(out);
}

TEST_CASE("SQLite ingest digests: time first in a new database, an older database keeps its form", "[ingest]") {
  TempDir dir;
  fs::path db = dir.path / "digests.db";
  std::string url = "sqlite:///" + db.string();
  // The SHA-256 of the sender id, a NUL and the row's data, in upper-case hex.
  auto hash_of = [&](const std::string& sender, long long event_id) {
    auto data = sql(db, "SELECT data FROM events WHERE id = " + std::to_string(event_id));
    REQUIRE(data.size() == 1);
    std::string hex = test::sha256_hex(sender + std::string(1, '\0') + data[0]);
    for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return hex;
  };
  {
    auto sink = open_ok(url);
    CHECK(write_ok(*sink, {kafka(kGreet, 0, 0)}).stored == 1);
  }
  CHECK(sql(db, "SELECT key, value FROM convo_meta") == std::vector<std::string>{"ingest_digest|time-sha256"});
  // 10.5 s = 10,500,000 us = 0xA037A0, then half of the hash.
  CHECK(sql(db, "SELECT hex(digest) FROM convo_ingest") ==
        std::vector<std::string>{"0000000000A037A0" + hash_of("u1", 1).substr(0, 16)});

  // A database filled before the form was recorded: its digests are the hash's first 16 bytes,
  // and they stay so, so that a redelivered event is still recognised.
  sql(db, "DELETE FROM convo_meta; UPDATE convo_ingest SET digest = X'" + hash_of("u1", 1).substr(0, 32) + "'");
  {
    auto sink = open_ok(url);
    IngestCounts c = write_ok(*sink, {kafka(kGreet, 0, 1), kafka(kListen, 0, 2)});
    CHECK(c.duplicates == 1);
    CHECK(c.stored == 1);
  }
  CHECK(sql(db, "SELECT value FROM convo_meta WHERE key = 'ingest_digest'") == std::vector<std::string>{"sha256"});
  CHECK(sql(db, "SELECT hex(digest) FROM convo_ingest ORDER BY event_id") ==
        std::vector<std::string>{hash_of("u1", 1).substr(0, 32), hash_of("u1", 2).substr(0, 32)});

  // A form this convo does not know is refused before anything is written.
  sql(db, "UPDATE convo_meta SET value = 'blake3' WHERE key = 'ingest_digest'");
  auto refused = open_sqlite_ingest(url, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("unknown digest form 'blake3'") != std::string::npos);
}
