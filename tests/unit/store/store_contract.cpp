#include "store_contract.hpp"

#include <catch2/catch.hpp>

#include "convo/core/event_list.hpp"

namespace convo::test {

std::vector<EventPtr> events_of(const char* json_array) {
  ParseContext ctx{[] { return 1700000000.0; }, [] { return std::string("u"); }};
  ParsedEvents parsed = parse_events(Json::parse(json_array), ctx);
  REQUIRE(parsed.ok());
  return parsed.events;
}

namespace {

const char* kSessionOne = R"([
  {"event": "action", "timestamp": 100.0, "name": "action_session_start"},
  {"event": "session_started", "timestamp": 100.5},
  {"event": "action", "timestamp": 101.0, "name": "action_listen"},
  {"event": "user", "timestamp": 102.0, "text": "hällo ✓",
   "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}},
  {"event": "slot", "timestamp": 103, "name": "city", "value": {"n": [1, 2.5, null]}}
])";

const char* kSessionTwo = R"([
  {"event": "action", "timestamp": 200.0, "name": "action_session_start"},
  {"event": "session_started", "timestamp": 200.5},
  {"event": "bot", "timestamp": 201.0, "text": "welcome back"}
])";

Json as_json(const std::vector<EventPtr>& events) {
  Json out = Json::array();
  for (const auto& e : events) out.push_back(e->data());
  return out;
}

Json concat(const Json& a, const Json& b) {
  Json out = a;
  for (const auto& x : b) out.push_back(x);
  return out;
}

Json load_events(TrackerStore& store, const std::string& sender, const LoadOptions& options = {}) {
  auto loaded = store.load(sender, options);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const StoredConversation& conv = **loaded;
  // A store may decode while it reads (LoadOptions::decode): then the events are the answer.
  return conv.decoded ? events_to_json(conv.decoded->events) : conv.events.to_json();
}

}  // namespace

void check_store_contract(const StoreFactory& fresh_store) {
  auto one = events_of(kSessionOne);
  auto two = events_of(kSessionTwo);

  SECTION("an unknown conversation is absent, not empty") {
    auto store = fresh_store();
    auto loaded = store->load("nobody", {});
    REQUIRE(loaded.ok());
    CHECK_FALSE(loaded->has_value());
  }

  SECTION("appended events come back exactly, types and order kept") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("ü/ser 1", one));
    LoadOptions all;
    all.all_sessions = true;
    Json back = load_events(*store, "ü/ser 1", all);
    CHECK(back.dump() == as_json(one).dump());  // dump keeps int vs float and key order
  }

  SECTION("events decoded while they are read are the events the texts give") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    REQUIRE_FALSE(store->append("s", two));
    const ParseContext ctx = system_parse_context();
    for (bool all_sessions : {false, true}) {
      LoadOptions texts;
      texts.all_sessions = all_sessions;
      LoadOptions decoding = texts;
      decoding.decode = &ctx;
      CHECK(load_events(*store, "s", decoding).dump() == load_events(*store, "s", texts).dump());
    }
  }

  SECTION("the last session by default, everything with all_sessions") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    REQUIRE_FALSE(store->append("s", two));
    Json last = load_events(*store, "s");
    REQUIRE(last.size() == 2);  // from the last session_started on
    CHECK(last[0]["event"] == "session_started");
    CHECK(last[1]["text"] == "welcome back");
    LoadOptions all;
    all.all_sessions = true;
    CHECK(load_events(*store, "s", all).dump() == concat(as_json(one), as_json(two)).dump());
  }

  SECTION("time windows are inclusive") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    LoadOptions window;
    window.all_sessions = true;
    window.since = 101.0;
    window.until = 103.0;
    Json got = load_events(*store, "s", window);
    REQUIRE(got.size() == 3);
    CHECK(got[0]["timestamp"] == 101.0);
    CHECK(got[2]["timestamp"] == 103);
    window.since = 500.0;
    window.until.reset();
    CHECK(load_events(*store, "s", window).empty());  // present, but nothing in the window
  }

  SECTION("replace swaps the whole conversation; replacing with nothing removes it") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    REQUIRE_FALSE(store->append("other", two));
    REQUIRE_FALSE(store->replace("s", two));
    LoadOptions all;
    all.all_sessions = true;
    CHECK(load_events(*store, "s", all).dump() == as_json(two).dump());
    REQUIRE_FALSE(store->replace("s", {}));
    auto gone = store->load("s", all);
    REQUIRE(gone.ok());
    CHECK_FALSE(gone->has_value());
    CHECK(load_events(*store, "other", all).size() == two.size());  // others untouched
  }

  SECTION("list counts events per conversation with first and last times") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("b", one));
    REQUIRE_FALSE(store->append("a", two));
    auto listed = store->list({});
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].sender_id == "a");
    CHECK((*listed)[0].events == 3);
    CHECK((*listed)[1].sender_id == "b");
    CHECK((*listed)[1].events == 5);
    CHECK((*listed)[1].first_event_time.get<double>() == 100.0);
    CHECK((*listed)[1].last_event_time.get<double>() == 103.0);
    ListOptions window;
    window.since = 150.0;
    auto recent = store->list(window);
    REQUIRE(recent.ok());
    REQUIRE(recent->size() == 1);
    CHECK((*recent)[0].sender_id == "a");
  }

  SECTION("before (export's maximum) is exclusive and combines with since") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    LoadOptions window;
    window.all_sessions = true;
    window.before = 102.0;
    Json got = load_events(*store, "s", window);
    REQUIRE(got.size() == 3);  // 100.0, 100.5, 101.0; not the event at exactly 102.0
    CHECK(got[2]["timestamp"] == 101.0);
    window.since = 100.5;
    got = load_events(*store, "s", window);
    REQUIRE(got.size() == 2);
    CHECK(got[0]["event"] == "session_started");
    window.since.reset();
    window.before = 100.0;
    CHECK(load_events(*store, "s", window).empty());
  }

  SECTION("an empty outbox: depth 0, nothing to peek, removing is harmless") {
    auto store = fresh_store();
    auto depth = store->outbox_depth();
    REQUIRE(depth.ok());
    CHECK(*depth == 0);
    auto peeked = store->outbox_peek(10);
    REQUIRE(peeked.ok());
    CHECK(peeked->empty());
    CHECK_FALSE(store->outbox_remove(100));
  }

  SECTION("append enqueues its outbox bodies; peek in enqueue order; remove up to an id") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("a", one, {"a1", "a2 \"ü\""}));
    REQUIRE_FALSE(store->append("b", two, {"b1"}));
    REQUIRE_FALSE(store->append("a", {}, {"a3"}));  // messages without events are fine too
    auto depth = store->outbox_depth();
    REQUIRE(depth.ok());
    CHECK(*depth == 4);
    auto all = store->outbox_peek(10);
    REQUIRE(all.ok());
    REQUIRE(all->size() == 4);
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& m : *all) got.emplace_back(m.sender_id, m.body);
    CHECK(got == std::vector<std::pair<std::string, std::string>>{
                     {"a", "a1"}, {"a", "a2 \"ü\""}, {"b", "b1"}, {"a", "a3"}});
    for (std::size_t i = 1; i < all->size(); ++i) CHECK((*all)[i].id > (*all)[i - 1].id);

    auto first_two = store->outbox_peek(2);
    REQUIRE(first_two.ok());
    REQUIRE(first_two->size() == 2);
    CHECK((*first_two)[1].body == "a2 \"ü\"");
    REQUIRE_FALSE(store->outbox_remove((*first_two)[1].id));
    auto rest = store->outbox_peek(10);
    REQUIRE(rest.ok());
    REQUIRE(rest->size() == 2);
    CHECK((*rest)[0].body == "b1");
    CHECK((*rest)[0].id == (*all)[2].id);  // ids stay what peek said

    REQUIRE_FALSE(store->append("c", {}, {"c1"}));
    auto after = store->outbox_peek(10);
    REQUIRE(after.ok());
    REQUIRE(after->size() == 3);
    CHECK(after->back().id > (*all)[3].id);  // ids keep increasing
    REQUIRE_FALSE(store->outbox_remove(after->back().id));
    CHECK(*store->outbox_depth() == 0);
    // The events were stored with their messages.
    LoadOptions everything;
    everything.all_sessions = true;
    CHECK(load_events(*store, "a", everything).dump() == as_json(one).dump());
  }

  SECTION("replace enqueues its outbox bodies too") {
    auto store = fresh_store();
    REQUIRE_FALSE(store->append("s", one));
    REQUIRE_FALSE(store->replace("s", two, {"r1", "r2"}));
    auto peeked = store->outbox_peek(10);
    REQUIRE(peeked.ok());
    REQUIRE(peeked->size() == 2);
    CHECK((*peeked)[0].sender_id == "s");
    CHECK((*peeked)[0].body == "r1");
    CHECK((*peeked)[1].body == "r2");
    LoadOptions everything;
    everything.all_sessions = true;
    CHECK(load_events(*store, "s", everything).dump() == as_json(two).dump());
  }
}

}  // namespace convo::test
