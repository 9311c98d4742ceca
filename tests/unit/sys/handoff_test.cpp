// sys::Handoff: chunks arrive in order, at most max_queued wait, spent chunks come back, and a
// consumer that gives up releases a producer waiting for room.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "convo/sys/handoff.hpp"

using convo::sys::Handoff;

TEST_CASE("Handoff passes chunks in order and recycles them") {
  Handoff<std::vector<int>> handoff(2);
  std::atomic<int> fresh{0}, missing{0};  // (Catch2 asserts on the main thread only)
  std::thread producer([&] {
    for (int i = 0; i < 50; ++i) {
      auto chunk = handoff.empty_chunk();
      if (!chunk) {
        ++missing;
        break;
      }
      if (chunk->capacity() == 0) ++fresh;  // never used before
      chunk->assign({i, i + 1});
      handoff.push(std::move(chunk));
    }
    handoff.close();
  });
  std::vector<int> seen;
  while (auto chunk = handoff.pop()) {
    seen.insert(seen.end(), chunk->begin(), chunk->end());
    chunk->clear();  // keeps its capacity
    handoff.recycle(std::move(chunk));
  }
  producer.join();
  CHECK(missing.load() == 0);
  REQUIRE(seen.size() == 100);
  for (int i = 0; i < 50; ++i) {
    CHECK(seen[2 * i] == i);
    CHECK(seen[2 * i + 1] == i + 1);
  }
  // Two queued at most, one being read: a handful of chunks serve all fifty.
  CHECK(fresh.load() <= 4);
}

TEST_CASE("Handoff: a consumer that abandons releases the waiting producer") {
  Handoff<int> handoff(1);
  handoff.push(std::make_unique<int>(1));  // the queue is full now
  std::atomic<bool> got_chunk{true};
  std::thread producer([&] {
    got_chunk = handoff.empty_chunk() != nullptr;  // waits for room, and gets none: the consumer gave up
  });
  handoff.abandon();
  producer.join();  // (hangs, and the test times out, if the producer were not released)
  CHECK_FALSE(got_chunk.load());
  handoff.close();
  CHECK_FALSE(handoff.pop());  // abandoned chunks are dropped
}
