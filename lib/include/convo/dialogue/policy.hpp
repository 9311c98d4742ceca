// Deciding the next action as Rasa 2.8's RulePolicy and MemoizationPolicy do, combined as its
// SimplePolicyEnsemble combines them (docs/dialogue-notes.md §2-§5). The machine-learning
// policies (TED, UnexpecTED) are not emulated: a config that lists them loads with a warning.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/tracker.hpp"
#include "convo/dialogue/training.hpp"

namespace convo::dialogue {

struct Prediction {
  std::string action;
  double confidence = 0;
  std::string policy;             // "policy_1_RulePolicy", "followup_action"
  bool hide_rule_turn = false;
  bool is_no_user_prediction = false;
  std::vector<Json> events;       // events logged before the action (loop_interrupted)
  std::vector<double> scores;     // the winner's probabilities, per action_names() index
};

class Policies;

// What predictions remember of one conversation between calls: the featurised states at each
// action of the applied events seen so far. A prediction given the memory replays only the
// events applied since the last one (the rest of a turn, the next turn of a cached conversation)
// instead of the whole conversation; anything else (a restart, a rewind, a loop collapse, another
// model) starts it afresh. Results are the same with or without it.
class PredictionMemory {
 public:
  PredictionMemory();
  ~PredictionMemory();
  PredictionMemory(const PredictionMemory&) = delete;
  PredictionMemory& operator=(const PredictionMemory&) = delete;

 private:
  friend class Policies;
  std::uint64_t policies_serial = 0;   // the Policies it was built for
  std::uint64_t generation = 0;        // the tracker's applied_generation() then
  std::size_t consumed = 0;            // applied events replayed
  const Event* last = nullptr;         // applied_events()[consumed - 1]
  std::unique_ptr<Tracker> replay;     // a tracker of exactly those events
  std::vector<Json> rule_states;       // RulePolicy's state before each applied action
  std::vector<Json> memo_states;       // MemoizationPolicy's (rule-only turns left out)
  Json last_ml_action;                 // the memo walk's carried values
  bool hidden = false;
};

class Policies {
 public:
  // `config` is config.yml as JSON (its `policies` list); the domain's actions index the scores.
  static Result<std::shared_ptr<const Policies>> train(const Json& config, std::shared_ptr<const Domain> domain,
                                                       const TrainingData& data, std::vector<std::string>& warnings);

  // The next action for the tracker (a pending follow-up action first, as the processor does).
  // `memory`, when given, is this conversation's: it makes repeated predictions incremental.
  Prediction predict(const Tracker& tracker, PredictionMemory* memory = nullptr) const;
  // Rasa's action_names_or_texts: default actions, domain actions, utter_ responses (sorted),
  // forms not listed as actions.
  const std::vector<std::string>& action_names() const { return action_names_; }
  std::size_t index_of(const std::string& action) const;
  // What `convo model inspect` reports: rule and story counts, policy names, not emulated ones.
  Json summary() const;

 private:
  struct RuleConfig {
    int index = -1;  // position in config.yml; -1 when absent
    double core_fallback_threshold = 0.3;
    std::string core_fallback_action = "action_default_fallback";
    bool enable_fallback_prediction = true;
  };
  struct MemoConfig {
    int index = -1;
    std::optional<std::size_t> max_history = 5;
    bool augmented = false;
  };
  struct RuleResult {
    std::string action;  // "" when no rule applies
    std::string source;
    bool returning_from_unhappy_path = false;
    bool no_user = false;
  };

  RuleResult rule_predict(const Tracker& tracker, PredictionMemory& memory) const;
  std::string rule_lookup(const std::vector<Json>& states, const Tracker& tracker, bool& unhappy, std::string& source) const;
  using Lookup = std::map<std::string, std::string>;
  // The keys of `lookup` whose states match the end of `states` (in key order).
  std::vector<Lookup::const_iterator> possible_keys(const Lookup& lookup, const std::vector<Json>& states) const;
  // Brings `memory` up to the tracker's applied events (afresh when they no longer extend it).
  void remember(const Tracker& tracker, PredictionMemory& memory) const;
  // The memo walk's state at the replay's present; `commit` records it (an action follows).
  Json memo_visit(PredictionMemory& memory, bool hide_rule_turn, bool commit) const;
  std::string memo_lookup(PredictionMemory& memory) const;

  std::uint64_t serial_ = 0;
  std::shared_ptr<const Domain> domain_;
  std::vector<std::string> action_names_;
  RuleConfig rule_;
  MemoConfig memo_;
  std::vector<std::string> not_emulated_;
  std::map<std::string, std::string> rules_;          // rule key -> action
  std::map<std::string, std::vector<Json>> rule_states_;  // rule key -> its states
  std::size_t longest_rule_ = 0;                          // the most states any key has
  std::map<std::string, std::string> unhappy_;        // loop unhappy-path key -> condition
  std::set<std::string> rules_not_in_stories_;
  std::map<std::string, std::string> memory_;         // memo key -> action
  std::set<std::string> rule_only_slots_, rule_only_loops_;
  std::size_t rule_count_ = 0, story_count_ = 0;
};

// Rasa's default intents' actions: restart, back, session_start.
const char* default_action_for_intent(const std::string& intent);

}  // namespace convo::dialogue
