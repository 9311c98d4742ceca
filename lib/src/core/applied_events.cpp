// Rasa's applied_events() (spec §7.1): which events still shape the state after restarts,
// session starts, rewinds, undos and loop (form) collapses.
#include <algorithm>

#include "convo/core/tracker.hpp"

namespace convo {
namespace {

bool is_action_named(const Event& e, const Json& name) {
  return e.type == EventType::Action && py_equal(e.get("name"), name);
}

// Pops events off the end until one of `type` has been popped (or the list is empty).
void undo_till(std::vector<EventPtr>& applied, EventType type) {
  while (!applied.empty()) {
    EventType popped = applied.back()->type;
    applied.pop_back();
    if (popped == type) return;
  }
}

bool first_loop_execution_or_unhappy_path(const Json& loop, const std::vector<EventPtr>& applied) {
  Json next_action;  // the action that followed the user message being looked at
  bool have_next = false;
  for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
    const Event& e = **it;
    if (e.type == EventType::ActiveLoop && e.get("name").is_null()) return true;
    if (e.type == EventType::ActionExecutionRejected && py_equal(e.get("name"), loop)) return true;
    if (e.type == EventType::User && have_next && !next_action.is_null() &&
        !py_equal(next_action, loop))
      return true;
    if (e.type == EventType::Action) {
      if (py_equal(e.get("name"), loop)) return false;
      next_action = e.get("name");
      have_next = true;
    }
  }
  return true;
}

// Removes the user, action and user_featurization events since the loop's previous run.
void undo_till_previous_loop_execution(const Json& loop, std::vector<EventPtr>& applied) {
  std::size_t i = applied.size();
  while (i > 0) {
    const Event& e = *applied[i - 1];
    if (is_action_named(e, loop)) break;
    if (e.type == EventType::Action || e.type == EventType::User ||
        e.type == EventType::UserFeaturization)
      applied.erase(applied.begin() + static_cast<std::ptrdiff_t>(i - 1));
    --i;
  }
}

}  // namespace

bool AppliedEvents::is_loop_name(const Json& name) const {
  return std::any_of(loop_names_.begin(), loop_names_.end(),
                     [&](const Json& n) { return py_equal(n, name); });
}

void AppliedEvents::step(const EventPtr& e) {
  switch (e->type) {
    case EventType::Restart:
    case EventType::SessionStarted:
      applied_.clear();
      ++generation_;
      break;
    case EventType::Undo:
      undo_till(applied_, EventType::Action);
      ++generation_;
      break;
    case EventType::Rewind:
      ++generation_;
      undo_till(applied_, EventType::User);
      undo_till(applied_, EventType::Action);
      break;
    case EventType::Action: {
      // Only loop actions collapse: no loop, no need to look at the name (nor build the data).
      if (!loop_names_.empty() && is_loop_name(e->get("name")) &&
          !first_loop_execution_or_unhappy_path(e->get("name"), applied_)) {
        undo_till_previous_loop_execution(e->get("name"), applied_);
        ++generation_;
      } else {
        applied_.push_back(e);
      }
      break;
    }
    default: applied_.push_back(e);
  }
}

void AppliedEvents::rebuild(const std::deque<EventPtr>& events) {
  loop_names_.clear();
  for (const auto& e : events)
    if (e->type == EventType::ActiveLoop && py_truthy(e->get("name")) && !is_loop_name(e->get("name")))
      loop_names_.push_back(e->get("name"));
  applied_.clear();
  ++generation_;
  for (const auto& e : events) step(e);
}

void AppliedEvents::appended(const std::deque<EventPtr>& events, bool front_dropped) {
  const EventPtr& e = events.back();
  // A loop name seen for the first time changes how earlier runs of that action collapse, and a
  // dropped front changes the history itself: both need the whole fold again (rare).
  bool new_loop = e->type == EventType::ActiveLoop && py_truthy(e->get("name")) && !is_loop_name(e->get("name"));
  if (new_loop || front_dropped) {
    rebuild(events);
  } else {
    step(e);
  }
}

std::vector<EventPtr> applied_events(const std::deque<EventPtr>& events) {
  AppliedEvents fold;
  fold.rebuild(events);
  return fold.events();
}

}  // namespace convo
