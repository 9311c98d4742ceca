// The SQLite outbox beyond the store contract: its table, atomicity with the events, databases
// without it, durability across opens.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "convo/store/tracker_store.hpp"
#include "store_contract.hpp"
#include "test_db.hpp"

using namespace convo;
using convo::test::TempDir;
using convo::test::sql;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<TrackerStore> open_ok(const fs::path& db, StoreAccess access) {
  auto store = open_store("sqlite:///" + db.string(), access);
  INFO((store.ok() ? "" : store.error().message));
  REQUIRE(store.ok());
  return std::move(*store);
}

const char* kEvents = R"([
  {"event": "action", "timestamp": 1.0, "name": "action_listen"},
  {"event": "user", "timestamp": 2.0, "text": "hi", "parse_data": {"intent": {"name": "greet"}}}
])";

}  // namespace

TEST_CASE("SQLite outbox: the table a ReadWrite open creates", "[outbox]") {
  TempDir dir;
  fs::path db = dir.path / "t.db";
  auto store = open_ok(db, StoreAccess::ReadWrite);
  CHECK(sql(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('convo_outbox') ORDER BY cid") ==
        std::vector<std::string>{"id|INTEGER|0|1", "sender_id|VARCHAR(255)|1|0", "body|TEXT|1|0",
                                 "enqueued_at|FLOAT|0|0"});
  CHECK(sql(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") ==
        std::vector<std::string>{"1"});  // AUTOINCREMENT: ids are never reused
  REQUIRE_FALSE(store->append("u", test::events_of(kEvents), {"m"}));
  auto rows = sql(db, "SELECT sender_id, body, enqueued_at > 1600000000 FROM convo_outbox");
  CHECK(rows == std::vector<std::string>{"u|m|1"});  // enqueued_at is the wall clock
}

TEST_CASE("SQLite outbox: events and messages commit together or not at all", "[outbox]") {
  TempDir dir;
  fs::path db = dir.path / "t.db";
  auto store = open_ok(db, StoreAccess::ReadWrite);
  auto events = test::events_of(kEvents);
  LoadOptions all;
  all.all_sessions = true;

  SECTION("a message that cannot be enqueued takes the events back out") {
    sql(db, "CREATE TRIGGER poison BEFORE INSERT ON convo_outbox WHEN NEW.body = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
    auto err = store->append("u", events, {"fine", "poison"});
    REQUIRE(err);
    CHECK(err->message.find("poisoned") != std::string::npos);
    auto loaded = store->load("u", all);
    REQUIRE(loaded.ok());
    CHECK_FALSE(loaded->has_value());
    CHECK(*store->outbox_depth() == 0);
    REQUIRE(store->replace("u", events, {"poison"}));
    CHECK_FALSE(store->load("u", all)->has_value());
  }

  SECTION("an event that cannot be stored takes the messages back out") {
    sql(db, "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type_name = 'user' "
            "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
    REQUIRE(store->append("u", events, {"m1", "m2"}));
    CHECK(*store->outbox_depth() == 0);
    CHECK(sql(db, "SELECT COUNT(*) FROM events") == std::vector<std::string>{"0"});
  }

  SECTION("a replace that fails keeps the old events and enqueues nothing") {
    REQUIRE_FALSE(store->append("u", events, {"old"}));
    sql(db, "CREATE TRIGGER poison BEFORE INSERT ON convo_outbox WHEN NEW.body = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
    REQUIRE(store->replace("u", test::events_of("[]"), {"poison"}));
    CHECK(store->load("u", all)->value().events.items.size() == 2);
    auto peeked = store->outbox_peek(10);
    REQUIRE(peeked.ok());
    REQUIRE(peeked->size() == 1);
    CHECK((*peeked)[0].body == "old");
  }
}

TEST_CASE("SQLite outbox: a database without the table reads as an empty outbox", "[outbox]") {
  TempDir dir;
  fs::path db = dir.path / "rasa.db";
  sql(db, "CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, "
          "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
          "action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));");
  auto store = open_ok(db, StoreAccess::ReadOnly);
  auto depth = store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 0);
  auto peeked = store->outbox_peek(5);
  REQUIRE(peeked.ok());
  CHECK(peeked->empty());
  CHECK_FALSE(store->outbox_remove(3));
  CHECK(sql(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'convo_outbox'") ==
        std::vector<std::string>{"0"});  // read-only created nothing
}

TEST_CASE("SQLite outbox: messages survive a reopen and are visible to a read-only open", "[outbox]") {
  TempDir dir;
  fs::path db = dir.path / "t.db";
  {
    auto store = open_ok(db, StoreAccess::ReadWrite);
    REQUIRE_FALSE(store->append("u", test::events_of(kEvents), {"m1", "m2", "m3"}));
    auto peeked = store->outbox_peek(1);
    REQUIRE_FALSE(store->outbox_remove((*peeked)[0].id));
  }
  auto reader = open_ok(db, StoreAccess::ReadOnly);
  CHECK(*reader->outbox_depth() == 2);
  auto peeked = reader->outbox_peek(10);
  REQUIRE(peeked.ok());
  REQUIRE(peeked->size() == 2);
  CHECK((*peeked)[0].body == "m2");
  CHECK((*peeked)[1].body == "m3");
}
