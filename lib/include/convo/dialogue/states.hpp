// Trackers as the states Rasa 2.8's policies see (Domain.states_for_tracker_history): one state
// before each action of the applied events plus a final one, each {"active_loop": {"name"},
// "prev_action": {"action_name"}, "slots": {name: features}, "user": {"entities", "intent"}} with
// empty parts left out and keys sorted, so that key_of() is the text json.dumps(sort_keys=True)
// gives (RulePolicy compares rule keys by that text's length).
#pragma once

#include <string>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/event.hpp"
#include "convo/core/tracker.hpp"
#include "convo/core/json.hpp"

namespace convo::dialogue {

struct TrackerStates {
  std::vector<Json> states;   // one before each applied action event, then the final state
  std::vector<std::string> actions;  // the action names, one per state but the last
  std::vector<bool> hidden;   // per action: its event's hide_rule_turn
};

// Replays `events` (the tracker's applied events, or a training tracker's events) on a fresh
// tracker. `omit_unset_slots`: slots no event set are left out (rule training).
TrackerStates tracker_states(const std::vector<EventPtr>& events, const std::shared_ptr<const Domain>& domain,
                             bool omit_unset_slots);

// The state of a tracker as it is now (the last of tracker_states for its applied events).
Json current_state_of(const Tracker& tracker);

// The features of one slot value (Slot._as_feature): text [1.0], bool [1.0, 0/1], float
// [1.0, scaled], list [1.0], categorical one-hot with __other__; empty when not featurized.
Json slot_features(const SlotDef& slot, const Json& value);

// json.dumps(states, sort_keys=True) for states built here.
std::string key_of(const std::vector<Json>& states);

}  // namespace convo::dialogue
