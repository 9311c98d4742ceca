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

std::vector<EventPtr> applied_events(const std::deque<EventPtr>& events) {
  std::vector<Json> loop_names;
  for (const auto& e : events)
    if (e->type == EventType::ActiveLoop && py_truthy(e->get("name")))
      loop_names.push_back(e->get("name"));
  auto is_loop_name = [&](const Json& name) {
    return std::any_of(loop_names.begin(), loop_names.end(),
                       [&](const Json& n) { return py_equal(n, name); });
  };

  std::vector<EventPtr> applied;
  applied.reserve(events.size());
  for (const auto& e : events) {
    switch (e->type) {
      case EventType::Restart:
      case EventType::SessionStarted: applied.clear(); break;
      case EventType::Undo: undo_till(applied, EventType::Action); break;
      case EventType::Rewind:
        undo_till(applied, EventType::User);
        undo_till(applied, EventType::Action);
        break;
      case EventType::Action: {
        const Json& name = e->get("name");
        if (!loop_names.empty() && is_loop_name(name) &&
            !first_loop_execution_or_unhappy_path(name, applied)) {
          undo_till_previous_loop_execution(name, applied);
        } else {
          applied.push_back(e);
        }
        break;
      }
      default: applied.push_back(e);
    }
  }
  return applied;
}

}  // namespace convo
