// Conversations kept in memory between requests: never stale (writes by another connection or
// process are seen, even a replace that reuses the last row ids), never changed under a reader,
// bounded, and the group commit of concurrent writers loses nothing.
#include <catch2/catch.hpp>

#include <thread>

#include "../store/test_db.hpp"
#include "convo/core/event_list.hpp"
#include "convo/pipeline/conversations.hpp"

using namespace convo;
using convo::test::TempDir;

namespace {

std::vector<EventPtr> parse(const std::string& json) {
  ParsedEvents parsed = parse_events(Json::parse(json), system_parse_context());
  REQUIRE(parsed.ok());
  return parsed.events;
}

std::vector<EventPtr> user(const std::string& text) {
  return parse(R"([{"event": "user", "timestamp": 5, "text": ")" + text + R"(", "parse_data": {"intent": {"name": "greet"}}}])");
}

std::shared_ptr<TrackerStore> sqlite_at(const std::filesystem::path& file) {
  auto store = open_store("sqlite:///" + file.string(), StoreAccess::ReadWrite);
  REQUIRE(store.ok());
  return std::shared_ptr<TrackerStore>(std::move(*store));
}

// The texts of the tracker's user events, in order.
std::vector<std::string> texts(const Tracker& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events())
    if (e->type == EventType::User) out.push_back(e->get("text").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("tracker cache: another process's append is seen", "[pipeline][cache]") {
  TempDir dir;
  auto file = dir.path / "c.db";
  Conversations server(sqlite_at(file), nullptr);
  REQUIRE_FALSE(server.append("u", user("one")));
  auto first = server.get("u", std::nullopt);  // now held in memory
  REQUIRE(first);
  CHECK(texts(**first) == std::vector<std::string>{"one"});

  Conversations other(sqlite_at(file), nullptr);  // another connection, as another process
  REQUIRE_FALSE(other.append("u", user("two")));
  auto second = server.get("u", std::nullopt);
  REQUIRE(second);
  CHECK(texts(**second) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("tracker cache: another process's replace reusing the last ids is seen", "[pipeline][cache]") {
  TempDir dir;
  auto file = dir.path / "c.db";
  Conversations server(sqlite_at(file), nullptr);
  REQUIRE_FALSE(server.replace("u", user("old")));
  REQUIRE(server.get("u", std::nullopt));
  // The same number of rows, deleted and written again at the end of the table: SQLite gives them
  // the same ids, so only the outside commit tells the cache.
  Conversations other(sqlite_at(file), nullptr);
  REQUIRE_FALSE(other.replace("u", user("new")));
  CHECK(convo::test::sql(file, "SELECT COUNT(*) FROM events") == std::vector<std::string>{"1"});
  auto after = server.get("u", std::nullopt);
  REQUIRE(after);
  CHECK(texts(**after) == std::vector<std::string>{"new"});
}

TEST_CASE("tracker cache: a tracker handed out does not change under its reader", "[pipeline][cache]") {
  TempDir dir;
  Conversations conv(sqlite_at(dir.path / "c.db"), nullptr);
  REQUIRE_FALSE(conv.append("u", user("one")));
  auto held = conv.get("u", std::nullopt);
  REQUIRE(held);
  const std::size_t events = (*held)->events().size();
  REQUIRE_FALSE(conv.append("u", user("two")));
  CHECK((*held)->events().size() == events);
  auto now = conv.get("u", std::nullopt);
  REQUIRE(now);
  CHECK(texts(**now) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("tracker cache: off or tiny, the answers are the same", "[pipeline][cache]") {
  TempDir dir;
  for (std::size_t limit : {std::size_t{0}, std::size_t{2}, std::size_t{100000}}) {
    Conversations conv(sqlite_at(dir.path / ("c" + std::to_string(limit) + ".db")), nullptr);
    conv.set_cache_limit(limit);
    for (const char* id : {"a", "b", "a", "c", "a"}) REQUIRE_FALSE(conv.append(id, user(id)));
    auto a = conv.get("a", std::nullopt);
    REQUIRE(a);
    CHECK(texts(**a) == std::vector<std::string>{"a", "a", "a"});
  }
}

TEST_CASE("group commit: concurrent writers lose nothing and double nothing", "[pipeline][cache]") {
  TempDir dir;
  auto file = dir.path / "c.db";
  Conversations conv(sqlite_at(file), nullptr);
  constexpr int kThreads = 8, kWrites = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i)
        if (conv.append("s" + std::to_string(t % 3), user(std::to_string(t) + "-" + std::to_string(i)))) ++failures;
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(convo::test::sql(file, "SELECT COUNT(*) FROM events WHERE type_name = 'user'") ==
        std::vector<std::string>{std::to_string(kThreads * kWrites)});
  CHECK(convo::test::sql(file, "SELECT COUNT(DISTINCT data) FROM events WHERE type_name = 'user'") ==
        std::vector<std::string>{std::to_string(kThreads * kWrites)});
  // Each conversation's tracker (from memory) holds exactly what its rows hold, in order.
  for (int s = 0; s < 3; ++s) {
    const std::string id = "s" + std::to_string(s);
    auto t = conv.get(id, std::nullopt);
    REQUIRE(t);
    std::vector<std::string> stored;
    for (const auto& row : convo::test::sql(file, "SELECT json_extract(data, '$.text') FROM events WHERE type_name = 'user' AND sender_id = '" + id + "' ORDER BY id"))
      stored.push_back(row);
    CHECK(texts(**t) == stored);
  }
}
