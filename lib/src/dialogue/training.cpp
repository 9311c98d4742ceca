#include "convo/dialogue/training.hpp"

#include <map>
#include <set>

#include "convo/core/yaml_json.hpp"

namespace convo::dialogue {
namespace {

Json action_event(const std::string& name) { return {{"event", "action"}, {"name", name}}; }

// A user step's entities as Rasa parses them: {cuisine: thai} / {cuisine: thai, role: r} / "cuisine".
Json parse_entities(const Json& raw) {
  Json out = Json::array();
  if (!raw.is_array()) return out;
  for (const auto& item : raw) {
    if (item.is_string()) {
      out.push_back({{"entity", item}, {"value", ""}});
      continue;
    }
    if (!item.is_object()) continue;
    Json entity = Json::object();
    Json type, value, role, group;
    for (const auto& [k, v] : item.items()) {
      if (k == "role") role = v;
      else if (k == "group") group = v;
      else type = k, value = v;
    }
    if (!type.is_null()) entity["entity"] = type;
    if (!value.is_null()) entity["value"] = value;
    if (!role.is_null()) entity["role"] = role;
    if (!group.is_null()) entity["group"] = group;
    out.push_back(entity);
  }
  return out;
}

Json user_event(const std::string& intent, const Json& entities) {
  return {{"event", "user"},
          {"text", nullptr},
          {"parse_data", {{"intent", {{"name", intent}, {"confidence", 1.0}}}, {"entities", entities}}}};
}

// The value a slot referenced by name only gets (yaml_story_reader._slot_default_value).
Json default_slot_value(const Domain& domain, const std::string& name) {
  const SlotDef* slot = domain.find_slot(name);
  if (slot && slot->type == "text") return "filled";
  if (slot && slot->type == "list") return Json::array({"filled"});
  return nullptr;
}

// One story or rule part: its events (before explicit listens), start and end checkpoints, and
// the or-alternatives still to expand (each position holds one or more user events).
struct Part {
  std::string name;
  std::vector<std::vector<Json>> slots;  // per position: the alternatives (one unless `or:`)
  std::string start_checkpoint;          // "" = STORY_START
  std::vector<std::string> end_checkpoints;
};

class Reader {
 public:
  Reader(const Domain& domain, std::vector<std::string>& warnings) : domain_(domain), warnings_(warnings) {}

  // Appends the events of `steps` to `part`; `rule` turns nulls into should_not_be_set.
  void read_steps(const Json& steps, Part& part, bool rule, const std::string& where, bool conditions = false) {
    if (!steps.is_array()) return;
    for (const auto& step : steps) {
      if (!step.is_object()) continue;
      if (step.contains("intent")) {
        std::string intent = step["intent"].is_string() ? step["intent"].get<std::string>() : "";
        if (!intent.empty() && intent[0] == '/') intent.erase(0, 1);
        if (intent.empty()) {
          warnings_.push_back(where + ": a user step without an intent is skipped");
          continue;
        }
        part.slots.push_back({user_event(intent, parse_entities(step.value("entities", Json::array())))});
      } else if (step.contains("user")) {
        warnings_.push_back(where + ": end-to-end user text is not supported; the step is skipped");
      } else if (step.contains("or")) {
        std::vector<Json> alternatives;
        for (const auto& alt : step["or"])
          if (alt.is_object() && alt.contains("intent") && alt["intent"].is_string())
            alternatives.push_back(user_event(alt["intent"].get<std::string>(), parse_entities(alt.value("entities", Json::array()))));
        if (!alternatives.empty()) part.slots.push_back(std::move(alternatives));
        else warnings_.push_back(where + ": an `or` step without intents is skipped");
      } else if (step.contains("action")) {
        if (step["action"].is_string() && !step["action"].get<std::string>().empty())
          part.slots.push_back({action_event(step["action"].get<std::string>())});
      } else if (step.contains("bot")) {
        warnings_.push_back(where + ": end-to-end bot text is not supported; the step is skipped");
      } else if (step.contains("slot_was_set")) {
        for (const auto& slot : step["slot_was_set"]) {
          if (slot.is_object()) {
            for (const auto& [k, v] : slot.items())
              part.slots.push_back({{{"event", "slot"}, {"name", k}, {"value", rule && v.is_null() ? Json(kShouldNotBeSet) : v}}});
          } else if (slot.is_string()) {
            part.slots.push_back({{{"event", "slot"}, {"name", slot}, {"value", default_slot_value(domain_, slot.get<std::string>())}}});
          }
        }
      } else if (step.contains("active_loop")) {
        const Json& name = step["active_loop"];
        part.slots.push_back({{{"event", "active_loop"}, {"name", rule && name.is_null() ? Json(kShouldNotBeSet) : name}}});
      } else if (step.contains("checkpoint") && !conditions) {
        const std::string cp = step["checkpoint"].is_string() ? step["checkpoint"].get<std::string>() : "";
        if (part.slots.empty() && part.start_checkpoint.empty()) part.start_checkpoint = cp;
        else part.end_checkpoints.push_back(cp);
      }
    }
  }

  // The explicit events of one linear sequence: listen before each user event (unless one is
  // there), auto-filled slots after it, a closing listen unless `final_listen` is false.
  std::vector<Json> explicit_events(const std::vector<Json>& events, bool final_listen) const {
    std::vector<Json> out;
    auto add_listen = [&] {
      if (out.empty() || out.back().value("event", "") != "action" || out.back().value("name", "") != "action_listen")
        out.push_back(action_event("action_listen"));
    };
    for (const auto& e : events) {
      if (e["event"] == "user") {
        add_listen();
        out.push_back(e);
        auto fills = domain_.slots_for_entities(e["parse_data"]["entities"]);
        if (fills)
          for (const auto& [name, value] : *fills) out.push_back({{"event", "slot"}, {"name", name}, {"value", value}});
      } else {
        out.push_back(e);
      }
    }
    if (final_listen) add_listen();
    return out;
  }

  // Every linear sequence of a part (the product of its `or` alternatives), at most `cap`.
  static std::vector<std::vector<Json>> linearize(const Part& part, std::size_t cap) {
    std::vector<std::vector<Json>> out = {{}};
    for (const auto& alternatives : part.slots) {
      std::vector<std::vector<Json>> next;
      for (const auto& prefix : out)
        for (const auto& alt : alternatives) {
          if (next.size() >= cap) break;
          auto seq = prefix;
          seq.push_back(alt);
          next.push_back(std::move(seq));
        }
      out = std::move(next);
    }
    return out;
  }

 private:
  const Domain& domain_;
  std::vector<std::string>& warnings_;
};

constexpr std::size_t kMaxTrackers = 5000;

}  // namespace

Result<TrainingData> read_training_data(const std::vector<std::pair<std::string, std::string>>& files,
                                        const Domain& domain) {
  TrainingData data;
  Reader reader(domain, data.warnings);
  std::vector<Part> story_parts;
  for (const auto& [name, text] : files) {
    SourceMap map(name);
    auto doc = yaml_to_json(text, map);
    if (!doc) return doc.error();
    if (!doc->is_object()) continue;
    if (doc->contains("rules") && (*doc)["rules"].is_array()) {
      for (const auto& item : (*doc)["rules"]) {
        if (!item.is_object()) continue;
        Part part;
        part.name = string_or(item, "rule");
        const std::string where = name + ": rule '" + part.name + "'";
        std::vector<Json> head;
        Part conditions;
        reader.read_steps(item.value("condition", Json::array()), conditions, true, where, true);
        for (const auto& slot : conditions.slots) head.push_back(slot.front());
        if (!py_truthy(item.value("conversation_start", Json()))) head.push_back(action_event(kRuleSnippetAction));
        reader.read_steps(item.value("steps", Json::array()), part, true, where);
        const bool wait = !(item.contains("wait_for_user_input") && item["wait_for_user_input"] == false);
        for (auto& seq : Reader::linearize(part, kMaxTrackers)) {
          TrainingTracker tracker{part.name, head};
          auto body = reader.explicit_events(seq, wait);
          tracker.events.insert(tracker.events.end(), body.begin(), body.end());
          if (!wait) tracker.events.push_back(action_event(kRuleSnippetAction));
          data.rules.push_back(std::move(tracker));
        }
      }
    }
    if (doc->contains("stories") && (*doc)["stories"].is_array()) {
      for (const auto& item : (*doc)["stories"]) {
        if (!item.is_object()) continue;
        Part part;
        part.name = string_or(item, "story");
        reader.read_steps(item.value("steps", Json::array()), part, false, name + ": story '" + part.name + "'");
        story_parts.push_back(std::move(part));
      }
    }
  }
  // Stories: grown from STORY_START along checkpoints (a part ending in a checkpoint continues
  // with every part starting at it; the closing listen comes only where a story ends).
  std::multimap<std::string, const Part*> by_start;
  for (const auto& p : story_parts) by_start.emplace(p.start_checkpoint, &p);
  struct Partial {
    std::string name;
    std::vector<Json> events;
    const Part* part;
    int depth;
  };
  std::vector<Partial> work;
  auto [b, e] = by_start.equal_range("");
  for (auto it = b; it != e; ++it) work.push_back({it->second->name, {}, it->second, 0});
  while (!work.empty() && data.stories.size() < kMaxTrackers) {
    Partial cur = std::move(work.back());
    work.pop_back();
    for (auto& seq : Reader::linearize(*cur.part, kMaxTrackers)) {
      std::vector<Json> events = cur.events;
      events.insert(events.end(), seq.begin(), seq.end());
      bool continued = false;
      if (cur.depth < 20)
        for (const auto& cp : cur.part->end_checkpoints) {
          auto [cb, ce] = by_start.equal_range(cp);
          for (auto it = cb; it != ce; ++it) {
            work.push_back({cur.name + " > " + it->second->name, events, it->second, cur.depth + 1});
            continued = true;
          }
        }
      if (!continued) data.stories.push_back({cur.name, reader.explicit_events(events, true)});
    }
  }
  return data;
}

}  // namespace convo::dialogue
