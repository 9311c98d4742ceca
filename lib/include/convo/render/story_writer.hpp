// Rasa 2.8's YAML story export of a tracker: the body of GET /conversations/{id}/story
// (spec http-api.md §3.7), i.e. `get_test_stories` in rasa/server.py written with YAMLStoryWriter
// in test-story mode, laid out the way ruamel.yaml's round-trip dumper lays it out (width 4096).
#pragma once

#include <optional>
#include <string>

#include "convo/core/error.hpp"
#include "convo/core/tracker.hpp"

namespace convo {

// `tracker` is the conversation as the store returned it (all its events, not cut by time).
// all_sessions: one story per conversation session (split before every `action_session_start`
// action), named "<id>, story N" when there is more than one; otherwise one story named <id> from
// the whole tracker. until: each story's tracker keeps its events up to the first one later than
// `until` (Rasa's travel_back_in_time), and stories left without events are dropped.
//
// Each story holds the applied events of its tracker: user steps (`intent`, and the text as
// `user: |-` with inline entity annotations), actions (`action`, or `bot` for end-to-end bot
// text), `slot_was_set` and `active_loop`; action_listen, action_session_start,
// action_unlikely_intent and every other event type are left out.
//
// An error where Rasa raises while writing (an entity annotation in the text that is not valid
// JSON, an intent name with two '/', entity offsets that are not integers, ...); Rasa answers
// those with 500 ConversationError "An unexpected error occurred. Error: <message>".
Result<std::string> try_tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                                           std::optional<double> until = std::nullopt);

// The same; throws std::runtime_error with the message where try_tracker_story_yaml errs.
std::string tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                               std::optional<double> until = std::nullopt);

}  // namespace convo
