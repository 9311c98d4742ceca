// The human view of a tracker: a timeline of events, then slots, the latest message and state.
#pragma once

#include <string>

#include "convo/core/tracker.hpp"
#include "convo/render/style.hpp"

namespace convo {

struct TimelineOptions {
  Verbosity verbosity = Verbosity::All;  // which events to list
  std::size_t width = 100;               // details are cut to fit
  std::vector<std::string> types;        // only these event types (all when empty)
  std::optional<std::size_t> tail;       // only the last N of them
};

std::string render_timeline(const Tracker& tracker, const TimelineOptions& options,
                            const Style& style);

// One event's actor ("user", "bot", "action", "system") and its details in a line of text.
std::string event_actor(const Event& e);
std::string event_details(const Event& e);

}  // namespace convo
