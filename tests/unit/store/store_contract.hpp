// The behaviour every TrackerStore must have; run against SQLite, PostgreSQL and memory.
#pragma once

#include <functional>
#include <memory>

#include "convo/store/tracker_store.hpp"

namespace convo::test {

// Makes an empty store (a fresh database) for each call.
using StoreFactory = std::function<std::unique_ptr<TrackerStore>()>;

void check_store_contract(const StoreFactory& fresh_store);

// Parses a JSON array of event objects with a pinned clock.
std::vector<EventPtr> events_of(const char* json_array);

}  // namespace convo::test
