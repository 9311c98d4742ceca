#include "convo/dialogue/policy.hpp"

#include <algorithm>
#include <atomic>
#include <functional>

#include "convo/core/event_list.hpp"
#include "convo/dialogue/states.hpp"

namespace convo::dialogue {
namespace {

constexpr const char* kLoopWasInterrupted = "loop_was_interrupted";
constexpr const char* kDoNotPredictLoop = "do_not_predict_loop_action";
constexpr const char* kDefaultRules = "predicting default action with intent ";
constexpr const char* kLoopRules = "handling active loops and forms - ";
// The source of a prediction no rule made, over more states than any rule has: it matches no rule source.
constexpr const char* kLongerThanAnyRule = "(states longer than any rule)";

ParseContext training_context() {
  ParseContext ctx;
  ctx.now = [] { return 0.0; };
  ctx.new_uuid = [] { return std::string("00000000-0000-0000-0000-000000000000"); };
  return ctx;
}

std::vector<EventPtr> to_events(const std::vector<Json>& events) {
  return parse_events(Json(events), training_context()).events;
}

const Json& sub(const Json& state, const char* key) {
  static const Json empty = Json::object();
  auto it = state.find(key);
  return it == state.end() ? empty : *it;
}

std::string prev_action_of(const Json& state) {
  const Json& prev = sub(state, "prev_action");
  auto it = prev.find("action_name");
  return it != prev.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string loop_of(const Json& state) {
  const Json& loop = sub(state, "active_loop");
  auto it = loop.find("name");
  return it != loop.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// RulePolicy._create_feature_key: the states after the last `...` state; "" when none are left.
std::string feature_key(std::vector<Json>::const_iterator first, std::vector<Json>::const_iterator last,
                        std::vector<Json>* kept = nullptr) {
  auto from = last;
  while (from != first && prev_action_of(*(from - 1)) != kRuleSnippetAction) --from;
  if (from == last) return "";
  std::vector<Json> out(from, last);
  if (kept) *kept = out;
  return key_of(out);
}
std::string feature_key(const std::vector<Json>& states, std::vector<Json>* kept = nullptr) {
  return feature_key(states.begin(), states.end(), kept);
}

bool is_not_set(const Json& v) { return v.is_string() && v.get<std::string>() == kShouldNotBeSet; }

// RulePolicy._does_rule_match_state
bool rule_matches_state(const Json& rule_state, const Json& conversation_state) {
  for (const auto& [type, rule_sub] : rule_state.items()) {
    const Json& conv_sub = sub(conversation_state, type.c_str());
    for (const auto& [key, from_rule] : rule_sub.items()) {
      auto found = conv_sub.find(key);
      const Json from_conv = found == conv_sub.end() ? Json() : *found;
      if (py_truthy(from_rule) && !is_not_set(from_rule) && !py_equal(from_conv, from_rule)) return false;
      if (is_not_set(from_rule) && py_truthy(from_conv) && !is_not_set(from_conv)) return false;
    }
  }
  return true;
}

// RulePolicy._is_rule_applicable: the rule's states from its end, turn `index` back.
bool rule_applicable(const std::vector<Json>& rule_states, std::size_t index, const Json& state) {
  if (index >= rule_states.size()) return true;
  const Json& rule_state = rule_states[rule_states.size() - 1 - index];
  const bool conv_prev = state.contains("prev_action"), rule_prev = rule_state.contains("prev_action");
  if (!conv_prev && !rule_prev) return true;
  if (!conv_prev || !rule_prev) return false;
  return rule_matches_state(rule_state, state);
}

// The last `n` states (all when n is unset).
std::vector<Json> last_states(const std::vector<Json>& states, std::optional<std::size_t> n) {
  if (!n || states.size() <= *n) return states;
  return std::vector<Json>(states.end() - static_cast<std::ptrdiff_t>(*n), states.end());
}

// Policy settings: a number or the default.
double number_or(const Json& item, const char* key, double fallback) {
  auto it = item.find(key);
  return it != item.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace

const char* default_action_for_intent(const std::string& intent) {
  if (intent == "restart") return "action_restart";
  if (intent == "back") return "action_back";
  if (intent == "session_start") return "action_session_start";
  return nullptr;
}

std::size_t Policies::index_of(const std::string& action) const {
  auto it = std::find(action_names_.begin(), action_names_.end(), action);
  return it == action_names_.end() ? action_names_.size() : static_cast<std::size_t>(it - action_names_.begin());
}

Result<std::shared_ptr<const Policies>> Policies::train(const Json& config, std::shared_ptr<const Domain> domain,
                                                        const TrainingData& data, std::vector<std::string>& warnings) {
  static std::atomic<std::uint64_t> serials{0};
  auto p = std::make_shared<Policies>();
  p->serial_ = ++serials;
  p->domain_ = domain;
  // Rasa's action_names_or_texts.
  for (const auto& name : default_action_names()) p->action_names_.push_back(name);
  auto add = [&](const std::string& name) {
    if (std::find(p->action_names_.begin(), p->action_names_.end(), name) == p->action_names_.end()) p->action_names_.push_back(name);
  };
  for (const auto& a : domain->actions) add(a);
  std::vector<std::string> utters;
  for (const auto& [name, _] : domain->responses.items())
    if (name.rfind("utter_", 0) == 0) utters.push_back(name);
  std::sort(utters.begin(), utters.end());
  for (const auto& u : utters) add(u);
  for (const auto& f : domain->form_names) add(f);

  const Json policies = config.is_object() ? config.value("policies", Json::array()) : Json::array();
  if (policies.is_array())
    for (std::size_t i = 0; i < policies.size(); ++i) {
      const Json& item = policies[i];
      const std::string name = item.is_object() ? string_or(item, "name") : std::string();
      if (name == "RulePolicy") {
        p->rule_.index = static_cast<int>(i);
        p->rule_.core_fallback_threshold = number_or(item, "core_fallback_threshold", 0.3);
        if (item.contains("core_fallback_action_name") && item["core_fallback_action_name"].is_string())
          p->rule_.core_fallback_action = item["core_fallback_action_name"];
        if (item.contains("enable_fallback_prediction") && item["enable_fallback_prediction"].is_boolean())
          p->rule_.enable_fallback_prediction = item["enable_fallback_prediction"];
      } else if (name == "MemoizationPolicy" || name == "AugmentedMemoizationPolicy") {
        p->memo_.index = static_cast<int>(i);
        p->memo_.augmented = name == "AugmentedMemoizationPolicy";
        if (item.contains("max_history")) {
          if (item["max_history"].is_null()) p->memo_.max_history.reset();
          else if (item["max_history"].is_number()) p->memo_.max_history = item["max_history"].get<std::size_t>();
        }
      } else if (!name.empty()) {
        p->not_emulated_.push_back(name);
        warnings.push_back("config.yml: policy " + name + " is not emulated by convo (only RulePolicy and "
                           "MemoizationPolicy decide); it is ignored");
      }
    }
  if (p->rule_.index >= 0 && p->index_of(p->rule_.core_fallback_action) == p->action_names_.size())
    return usage_error("config.yml: RulePolicy's core_fallback_action_name '" + p->rule_.core_fallback_action +
                       "' is not an action of the domain");
  p->rule_count_ = data.rules.size();
  p->story_count_ = data.stories.size();

  std::vector<TrackerStates> rule_states, story_states;
  for (const auto& t : data.rules) rule_states.push_back(tracker_states(to_events(t.events), domain, true));
  for (const auto& t : data.stories) story_states.push_back(tracker_states(to_events(t.events), domain, false));

  // Rules: every prefix of a rule tracker (after its `...`) predicts the action that follows.
  for (std::size_t r = 0; r < rule_states.size(); ++r) {
    const auto& ts = rule_states[r];
    for (std::size_t i = 0; i < ts.actions.size(); ++i) {
      if (ts.actions[i] == kRuleSnippetAction) continue;
      std::vector<Json> prefix(ts.states.begin(), ts.states.begin() + static_cast<std::ptrdiff_t>(i + 1));
      std::vector<Json> kept;
      std::string key = feature_key(prefix, &kept);
      if (key.empty()) continue;
      auto [it, fresh] = p->rules_.emplace(key, ts.actions[i]);
      if (!fresh && it->second != ts.actions[i])
        warnings.push_back("rule '" + data.rules[r].name + "' contradicts another rule: after the same states one predicts '" +
                           it->second + std::string("', it predicts '") + ts.actions[i] + "'; the first is kept");
      p->rule_states_.emplace(key, std::move(kept));
    }
  }
  // Loop unhappy paths, from rules and stories.
  auto unhappy_from = [&](const TrackerStates& ts) {
    for (std::size_t i = 0; i < ts.actions.size(); ++i) {
      const Json& last = ts.states[i];
      const std::string loop = loop_of(last);
      if (loop.empty()) continue;
      std::vector<Json> reduced;
      if (i == 0 || !ts.states[i - 1].contains("prev_action")) reduced = {last};
      else reduced = {Json{{"prev_action", ts.states[i - 1]["prev_action"]}}, last};
      std::vector<Json> kept;
      std::string key = feature_key(reduced, &kept);
      if (key.empty()) continue;
      p->rule_states_.emplace(key, std::move(kept));
      const bool after_listen = prev_action_of(last) == "action_listen";
      if (after_listen && ts.actions[i] == loop) p->unhappy_[key] = kLoopWasInterrupted;
      else if (!after_listen && ts.actions[i] != loop) p->unhappy_[key] = kDoNotPredictLoop;
    }
  };
  for (const auto& ts : rule_states) unhappy_from(ts);
  for (const auto& ts : story_states) unhappy_from(ts);
  // Slots and loops that only rules mention: memoization does not see them.
  auto collect = [](const std::vector<TrackerStates>& all, std::set<std::string>& slots, std::set<std::string>& loops) {
    for (const auto& ts : all)
      for (const auto& s : ts.states) {
        for (const auto& [k, _] : sub(s, "slots").items()) slots.insert(k);
        if (!loop_of(s).empty()) loops.insert(loop_of(s));
      }
  };
  std::set<std::string> rs, rl, ss, sl;
  collect(rule_states, rs, rl);
  collect(story_states, ss, sl);
  for (const auto& s : rs)
    if (!ss.count(s) && s != "requested_slot") p->rule_only_slots_.insert(s);
  for (const auto& l : rl)
    if (!sl.count(l) && l != kShouldNotBeSet) p->rule_only_loops_.insert(l);
  // Memoization: story prefixes, the last max_history states; ambiguous keys are dropped.
  if (p->memo_.index >= 0) {
    std::set<std::string> ambiguous;
    for (const auto& ts : story_states)
      for (std::size_t i = 0; i < ts.actions.size(); ++i) {
        std::vector<Json> prefix(ts.states.begin(), ts.states.begin() + static_cast<std::ptrdiff_t>(i + 1));
        std::string key = key_of(last_states(prefix, p->memo_.max_history));
        if (ambiguous.count(key)) continue;
        auto [it, fresh] = p->memory_.emplace(key, ts.actions[i]);
        if (!fresh && it->second != ts.actions[i]) {
          p->memory_.erase(it);
          ambiguous.insert(key);
        }
      }
  }
  for (const auto& [_, states] : p->rule_states_) p->longest_rule_ = std::max(p->longest_rule_, states.size());
  // hide_rule_turn (RulePolicy._analyze_rules): the rule keys and the sources of every prediction
  // made while replaying the rules (loop happy paths included), the default and the forms' loop
  // sources, minus those that predict a story's action correctly. The replay (_run_prediction_on_trackers): the first action (and the
  // one after `...`) is unpredictable; a loop predicted instead of the gold action is rejected
  // (rasa.core.test.emulate_loop_rejection) and the rules asked again.
  if (p->rule_.index >= 0) {
    auto replay = [&](const std::vector<TrainingTracker>& trackers,
                      const std::function<void(const RuleResult&, const std::string& gold)>& seen) {
      for (const auto& t : trackers) {
        auto events = to_events(t.events);
        Tracker running("analysis", domain);
        PredictionMemory memory;
        bool unpredictable = true;
        for (const auto& e : events) {
          const Json& name = e->get("name");
          if (e->type != EventType::Action || !name.is_string()) {
            (void)running.update(e);
            continue;
          }
          const std::string gold = name.get<std::string>();
          if (gold == kRuleSnippetAction || unpredictable) {
            unpredictable = gold == kRuleSnippetAction;
            (void)running.update(e);
            continue;
          }
          RuleResult r = p->rule_predict(running, memory);
          const Json loop = running.active_loop().value("name", Json());
          if (loop.is_string() && r.action != gold && r.action == loop.get<std::string>()) {
            auto rejection = parse_event(Json{{"event", "action_execution_rejected"}, {"name", loop}}, training_context());
            if (rejection && *rejection) (void)running.update(*rejection);
            r = p->rule_predict(running, memory);
          }
          seen(r, gold);
          (void)running.update(e);
        }
      }
    };
    // Every rule key too: a key can win live in a context its own rule's replay never builds.
    std::set<std::string> sources;
    for (const auto& [k, _] : p->rules_) sources.insert(k);
    replay(data.rules, [&](const RuleResult& r, const std::string&) { sources.insert(r.source); });
    for (const char* intent : {"restart", "back", "session_start"}) sources.insert(std::string(kDefaultRules) + intent);
    for (const auto& f : domain->form_names) {
      sources.insert(kLoopRules + f);
      sources.insert(kLoopRules + f + " - action_listen");
    }
    std::set<std::string> used;
    replay(data.stories, [&](const RuleResult& r, const std::string& gold) {
      if (!r.action.empty() && r.action == gold) used.insert(r.source);
    });
    for (const auto& s : sources)
      if (!used.count(s)) p->rules_not_in_stories_.insert(s);
  }
  return std::shared_ptr<const Policies>(std::move(p));
}

std::vector<Policies::Lookup::const_iterator> Policies::possible_keys(const Lookup& lookup,
                                                                      const std::vector<Json>& states) const {
  std::vector<Lookup::const_iterator> keys;
  keys.reserve(lookup.size());
  for (auto it = lookup.begin(); it != lookup.end(); ++it) keys.push_back(it);
  // A key constrains only as many states back as it has; beyond the longest, all that are left stay.
  const std::size_t depth = std::min(states.size(), longest_rule_);
  for (std::size_t i = 0; i < depth && !keys.empty(); ++i) {
    const Json& state = states[states.size() - 1 - i];
    // Every key (rules and unhappy paths) has its states kept at training.
    keys.erase(std::remove_if(keys.begin(), keys.end(),
                              [&](Lookup::const_iterator k) { return !rule_applicable(rule_states_.at(k->first), i, state); }),
               keys.end());
  }
  return keys;
}

std::string Policies::rule_lookup(const std::vector<Json>& states, const Tracker& tracker, bool& unhappy,
                                  std::string& source) const {
  std::string predicted, best;
  for (const auto& k : possible_keys(rules_, states))
    if (k->first.size() > best.size()) best = k->first;  // the longest rule wins (the first of equals)
  if (!best.empty()) predicted = rules_.at(best);
  const Json loop = tracker.active_loop().value("name", Json());
  if (loop.is_string() && !loop.get<std::string>().empty()) {
    std::set<std::string> conditions;
    for (const auto& k : possible_keys(unhappy_, states)) conditions.insert(k->second);
    const bool general_listen = predicted == "action_listen" && loop_of(rule_states_.at(best).back()).empty();
    if (general_listen) {
      if (!conditions.count(kDoNotPredictLoop)) {
        source = best;
        return loop.get<std::string>();
      }
      predicted.clear();
    }
    if (conditions.count(kLoopWasInterrupted)) unhappy = true;
  }
  // No rule applies: the source is the states' key, compared with the rules' sources only. A key
  // over more states than any source (longest_rule_ + 1) matches none, so it is not built.
  if (!best.empty()) source = best;
  else if (states.size() <= longest_rule_ + 1) source = feature_key(states);
  else {
    const auto newest = states.end() - static_cast<std::ptrdiff_t>(longest_rule_ + 2);
    const bool snippet_within = std::any_of(newest, states.end(),
                                            [](const Json& st) { return prev_action_of(st) == kRuleSnippetAction; });
    source = snippet_within ? feature_key(newest, states.end()) : kLongerThanAnyRule;
  }
  return predicted;
}

Policies::RuleResult Policies::rule_predict(const Tracker& tracker, PredictionMemory& memory) const {
  RuleResult out;
  const Json latest = tracker.latest_action_name();
  const bool after_listen = latest == "action_listen";
  const Json intent = tracker.latest_message().intent_name();
  if (after_listen && intent.is_string())
    if (const char* action = default_action_for_intent(intent.get<std::string>())) {
      out.action = action;
      out.source = kDefaultRules + intent.get<std::string>();
      return out;
    }
  const Json& loop_state = tracker.active_loop();
  const Json loop = loop_state.value("name", Json());
  if (loop.is_string() && !loop.get<std::string>().empty() && !py_truthy(loop_state.value("rejected", Json()))) {
    out.no_user = true;
    if (latest != loop) {
      out.action = loop.get<std::string>();
      out.source = kLoopRules + out.action;
    } else {
      out.action = "action_listen";
      out.source = kLoopRules + loop.get<std::string>() + " - action_listen";
    }
    return out;
  }
  remember(tracker, memory);
  // The states before each applied action, then the present one, looked up in place.
  memory.rule_states.push_back(current_state_of(*memory.replay));
  out.action = rule_lookup(memory.rule_states, tracker, out.returning_from_unhappy_path, out.source);
  memory.rule_states.pop_back();
  return out;
}

PredictionMemory::PredictionMemory() = default;
PredictionMemory::~PredictionMemory() = default;

void Policies::remember(const Tracker& tracker, PredictionMemory& m) const {
  const auto& applied = tracker.applied_events();
  const bool extends = m.replay && m.policies_serial == serial_ && m.generation == tracker.applied_generation() &&
                       m.consumed <= applied.size() && (m.consumed == 0 || applied[m.consumed - 1].get() == m.last);
  if (!extends) {
    m.policies_serial = serial_;
    m.consumed = 0;
    m.replay = std::make_unique<Tracker>("states", domain_);
    m.rule_states.clear();
    m.memo_states.clear();
    m.last_ml_action = Json();
    m.hidden = false;
  }
  m.generation = tracker.applied_generation();
  for (; m.consumed < applied.size(); ++m.consumed) {
    const EventPtr& e = applied[m.consumed];
    if (e->type == EventType::Action) {
      m.rule_states.push_back(current_state_of(*m.replay));
      (void)memo_visit(m, py_truthy(e->get("hide_rule_turn")), true);
    }
    (void)m.replay->update(e);
  }
  m.last = m.consumed ? applied[m.consumed - 1].get() : nullptr;
  // Only the newest states are ever looked at: a rule key reaches longest_rule_ states back, and a
  // prediction's source (a key) over more states than any rule's matches none of them; the memo
  // key reaches max_history back. Older ones are dropped (halving, so dropping costs O(1) a turn),
  // which keeps a long conversation's memory and each turn's work bounded.
  const std::size_t rule_keep = 2 * longest_rule_ + 8;
  if (m.rule_states.size() > 2 * rule_keep)
    m.rule_states.erase(m.rule_states.begin(), m.rule_states.end() - static_cast<std::ptrdiff_t>(rule_keep));
  if (memo_.max_history) {
    const std::size_t memo_keep = *memo_.max_history + 1;  // + the one the next state is compared with
    if (m.memo_states.size() > 2 * memo_keep + 8)
      m.memo_states.erase(m.memo_states.begin(), m.memo_states.end() - static_cast<std::ptrdiff_t>(memo_keep));
  }
}

Json Policies::memo_visit(PredictionMemory& m, bool hide_rule_turn, bool commit) const {
  // Domain.states_for_tracker_history with ignore_rule_only_turns and the rule-only data.
  const Tracker& replay = *m.replay;
  Json last_ml_action = m.last_ml_action;
  bool hidden = m.hidden;
  if (!hidden) {
    Json prev = replay.latest_action_name();
    last_ml_action = prev.is_string() ? Json{{"action_name", prev}} : Json();
  }
  const Json loop = replay.active_loop().value("name", Json());
  if (replay.followup_action().is_null() && !(loop.is_string() && replay.latest_action_name() == loop)) hidden = hide_rule_turn;
  if (commit) {
    m.last_ml_action = last_ml_action;
    m.hidden = hidden;
  }
  if (hidden) return Json();
  Json state = current_state_of(replay);
  if (state.contains("slots")) {
    for (const auto& s : rule_only_slots_) state["slots"].erase(s);
    if (state["slots"].empty()) state.erase("slots");
  }
  if (rule_only_loops_.count(loop_of(state))) state.erase("active_loop");
  if (!m.memo_states.empty() && prev_action_of(state) != "action_listen") {
    const Json& last = m.memo_states.back();
    if (!last.contains("user") && state.contains("user")) state.erase("user");
    else if (last.contains("user")) state["user"] = last["user"];
  }
  if (!last_ml_action.is_null()) {
    // keys stay sorted: prev_action sorts between active_loop and slots
    Json sorted = Json::object();
    for (const char* k : {"active_loop", "prev_action", "slots", "user"}) {
      if (std::string(k) == "prev_action") sorted[k] = last_ml_action;
      else if (state.contains(k)) sorted[k] = state[k];
    }
    state = std::move(sorted);
  }
  if (commit) m.memo_states.push_back(state);
  return state;
}

std::string Policies::memo_lookup(PredictionMemory& m) const {
  // The walk's states plus the present one (not recorded: no action has followed it yet).
  Json present = memo_visit(m, false, false);
  std::vector<Json> tail;
  const std::size_t total = m.memo_states.size() + (present.is_null() ? 0 : 1);
  const std::size_t keep = memo_.max_history ? std::min(*memo_.max_history, total) : total;
  const std::size_t from_stored = keep - (present.is_null() ? 0 : 1);
  tail.reserve(keep);
  tail.insert(tail.end(), m.memo_states.end() - static_cast<std::ptrdiff_t>(from_stored), m.memo_states.end());
  if (!present.is_null()) tail.push_back(std::move(present));
  auto it = memory_.find(key_of(tail));
  return it == memory_.end() ? std::string() : it->second;
}

Prediction Policies::predict(const Tracker& tracker, PredictionMemory* given) const {
  PredictionMemory scratch;
  PredictionMemory& memory = given ? *given : scratch;
  Prediction out;
  const Json followup = tracker.followup_action();
  if (followup.is_string() && index_of(followup.get<std::string>()) < action_names_.size()) {
    out.action = followup.get<std::string>();
    out.confidence = 1.0;
    out.policy = "followup_action";
    out.scores.assign(action_names_.size(), 0.0);
    out.scores[index_of(out.action)] = 1.0;
    return out;
  }
  // The action rejected just before (if any) gets 0 in every policy.
  std::string rejected;
  for (auto it = tracker.events().rbegin(); it != tracker.events().rend(); ++it) {
    if ((*it)->type == EventType::ActionExecutionRejected) {
      const Json& n = (*it)->get("name");
      if (n.is_string()) rejected = n.get<std::string>();
      break;
    }
    if ((*it)->type == EventType::Action) break;
  }
  struct Candidate {
    std::vector<double> scores;
    std::string name;
    int priority = 0;
    bool no_user = false, hide = false;
    std::vector<Json> events;
  };
  std::vector<std::pair<int, Candidate>> candidates;  // by config index
  if (rule_.index >= 0) {
    RuleResult r = rule_predict(tracker, memory);
    Candidate c;
    c.scores.assign(action_names_.size(), 0.0);
    c.name = "policy_" + std::to_string(rule_.index) + "_RulePolicy";
    c.priority = 7;
    if (rule_.enable_fallback_prediction) c.scores[index_of(rule_.core_fallback_action)] = rule_.core_fallback_threshold;
    if (!r.action.empty() && index_of(r.action) < c.scores.size()) c.scores[index_of(r.action)] = 1.0;
    c.no_user = r.no_user;
    c.hide = rules_not_in_stories_.count(r.source) > 0;
    if (r.returning_from_unhappy_path) c.events.push_back({{"event", "loop_interrupted"}, {"is_interrupted", true}});
    candidates.emplace_back(rule_.index, std::move(c));
  }
  if (memo_.index >= 0) {
    Candidate c;
    c.scores.assign(action_names_.size(), 0.0);
    c.name = "policy_" + std::to_string(memo_.index) + (memo_.augmented ? "_AugmentedMemoizationPolicy" : "_MemoizationPolicy");
    c.priority = 4;
    remember(tracker, memory);
    std::string action = memo_lookup(memory);
    if (!action.empty() && index_of(action) < c.scores.size()) c.scores[index_of(action)] = 1.0;
    candidates.emplace_back(memo_.index, std::move(c));
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!rejected.empty() && index_of(rejected) < action_names_.size())
    for (auto& [_, c] : candidates) c.scores[index_of(rejected)] = 0.0;
  bool any_no_user = false;
  for (const auto& [_, c] : candidates) any_no_user = any_no_user || c.no_user;
  const Candidate* best = nullptr;
  double best_conf = -1;
  int best_priority = -1;
  for (const auto& [_, c] : candidates) {
    if (any_no_user && !c.no_user) continue;
    double conf = c.scores.empty() ? 0.0 : *std::max_element(c.scores.begin(), c.scores.end());
    if (!best || conf > best_conf || (conf == best_conf && c.priority > best_priority)) {
      best = &c;
      best_conf = conf;
      best_priority = c.priority;
    }
  }
  for (const auto& [_, c] : candidates)
    for (const auto& e : c.events) out.events.push_back(e);
  if (!best) {
    out.action = "action_listen";
    out.scores.assign(action_names_.size(), 0.0);
    return out;
  }
  auto top = std::max_element(best->scores.begin(), best->scores.end());
  out.action = action_names_[static_cast<std::size_t>(top - best->scores.begin())];
  out.confidence = *top;
  out.policy = best->name;
  out.hide_rule_turn = best->hide;
  out.is_no_user_prediction = best->no_user;
  out.scores = best->scores;
  if (tracker.latest_action_name() == "action_listen")
    out.events.push_back({{"event", "user_featurization"}, {"use_text_for_featurization", false}});
  return out;
}

Json Policies::summary() const {
  Json policies = Json::array();
  if (rule_.index >= 0) policies.push_back("RulePolicy");
  if (memo_.index >= 0) policies.push_back(memo_.augmented ? "AugmentedMemoizationPolicy" : "MemoizationPolicy");
  return {{"policies", policies},
          {"not_emulated", not_emulated_},
          {"rules", rule_count_},
          {"stories", story_count_},
          {"rule_keys", rules_.size()},
          {"memo_keys", memory_.size()}};
}

}  // namespace convo::dialogue
