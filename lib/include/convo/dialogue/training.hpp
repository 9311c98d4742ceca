// Rasa 2.x YAML training stories and rules as the event lists Rasa's policies train on
// (yaml_story_reader, StoryStep.explicit_events, the story graph): action_listen before each user
// step, the domain's entity auto-fill after it, a closing action_listen; rules with their
// condition events and the `...` snippet action; `or` alternatives and checkpoints expanded.
// Intent-only data: end-to-end steps (`user:` text, `bot:` text) are skipped with a warning.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo::dialogue {

constexpr const char* kRuleSnippetAction = "...";
constexpr const char* kShouldNotBeSet = "should_not_be_set";

struct TrainingTracker {
  std::string name;          // the story's or rule's name (joined across checkpoints)
  std::vector<Json> events;  // Rasa event objects: action, user, slot, active_loop
};

struct TrainingData {
  std::vector<TrainingTracker> rules;
  std::vector<TrainingTracker> stories;
  std::vector<std::string> warnings;
};

// Reads every (file name, YAML text) given; files without stories: or rules: add nothing.
// Errors name the file ("data/rules.yml:7: ...").
Result<TrainingData> read_training_data(const std::vector<std::pair<std::string, std::string>>& files,
                                        const Domain& domain);

}  // namespace convo::dialogue
