// Rasa 2.8's YAML test-story export of a tracker (rasa/server.py get_test_stories,
// rasa/shared/core/training_data/story_writer/yaml_story_writer.py) and the part of ruamel.yaml's
// round-trip emitter that its output goes through (block style, indent 2, dash offset 0,
// width 4096, unicode allowed, None written as `null`).
#include "convo/render/story_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "story_yaml.hpp"

namespace convo {
namespace {

using story_yaml::U32;
using story_yaml::YNode;
using story_yaml::from_json;
using story_yaml::to_u32;
using story_yaml::to_utf8;
// ---------------------------------------------------------------------------------------------
// Python semantics the writer's helpers rely on

struct WriteError {
  std::string message;
};

// Python's slice bounds text[a:b] for int-or-None indices.
std::size_t slice_bound(const Json& index, std::size_t length, bool is_start) {
  if (index.is_null()) return is_start ? 0 : length;
  long long i = 0;
  if (index.is_boolean()) {
    i = index.get<bool>() ? 1 : 0;
  } else if (index.is_number_integer()) {
    i = index.get<long long>();
  } else if (index.is_number_unsigned()) {
    auto u = index.get<std::uint64_t>();
    i = u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<long long>(u);
  } else {
    throw WriteError{"slice indices must be integers or None or have an __index__ method"};
  }
  const auto len = static_cast<long long>(length);
  if (i < 0) i = std::max(0LL, i + len);
  return static_cast<std::size_t>(std::min(i, len));
}

U32 py_slice(const U32& text, const Json& from, const Json& to) {
  std::size_t a = slice_bound(from, text.size(), true);
  std::size_t b = slice_bound(to, text.size(), false);
  return b > a ? text.substr(a, b - a) : U32();
}

const char* py_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "NoneType";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::string:
      return "str";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "dict";
    default:
      return "object";
  }
}

// ---------------------------------------------------------------------------------------------
// rasa.shared.core.events.format_message: the user text with inline entity annotations

const char* kDocsTrainingDataNlu =
    "https://rasa.com/docs/rasa/training-data-format#nlu-training-data";
const char* kDocsTrainingData = "https://rasa.com/docs/rasa/training-data-format";

struct EntityMatch {
  std::size_t begin = 0, end = 0;  // the whole annotation
  U32 entity_text;
  bool is_dict = false;
  U32 dict_body;  // between the braces
};

// ENTITY_REGEX:
// \[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)|\{(?P<entity_dict>[^}]+?)\})
bool match_entity_at(const U32& s, std::size_t at, EntityMatch& m) {
  const std::size_t n = s.size();
  if (s[at] != '[') return false;
  std::size_t close = s.find(U']', at + 1);
  if (close == U32::npos || close == at + 1) return false;
  std::size_t i = close + 1;
  if (i >= n) return false;
  if (s[i] == '(') {
    std::size_t j = i + 1;
    while (j < n && s[j] != ':' && s[j] != ')') ++j;
    if (j == i + 1 || j >= n) return false;  // the entity name needs a character, then ':' or ')'
    std::size_t finish;
    if (s[j] == ')') {
      finish = j + 1;
    } else {
      std::size_t paren = s.find(U')', j + 1);
      if (paren == U32::npos || paren == j + 1) return false;
      finish = paren + 1;
    }
    m = {at, finish, s.substr(at + 1, close - at - 1), false, {}};
    return true;
  }
  if (s[i] == '{') {
    std::size_t brace = s.find(U'}', i + 1);
    if (brace == U32::npos || brace == i + 1) return false;
    m = {at, brace + 1, s.substr(at + 1, close - at - 1), true, s.substr(i + 1, brace - i - 1)};
    return true;
  }
  return false;
}

std::vector<EntityMatch> find_entity_annotations(const U32& s) {
  std::vector<EntityMatch> found;
  std::size_t i = 0;
  while (i < s.size()) {
    EntityMatch m;
    if (match_entity_at(s, i, m)) {
      found.push_back(m);
      i = m.end;
    } else {
      ++i;
    }
  }
  return found;
}

// entities_parser.get_validated_dict: the braces' content must be JSON satisfying the entity
// schema.
void validate_entity_dict(const U32& body) {
  const std::string json_text = "{" + to_utf8(body) + "}";
  Json data;
  try {
    data = Json::parse(json_text);
  } catch (const std::exception&) {
    throw WriteError{"Incorrect training data format ('" + json_text + "'). More info at " +
                     std::string(kDocsTrainingDataNlu)};
  }
  auto fail = [&](const std::string& what) {
    throw WriteError{
        what +
        ". Failed to validate data, make sure your data is valid. For more information "
        "about the format visit " +
        std::string(kDocsTrainingData) + "."};
  };
  if (!data.is_object()) fail(dump_python(data) + " is not of type 'object'");
  if (!data.contains("entity")) fail("'entity' is a required property");
  for (const char* key : {"entity", "role", "group"})
    if (data.contains(key) && !data[key].is_string())
      fail(dump_python(data[key]) + " is not of type 'string'");
  if (data.contains("value") && !(data["value"].is_string() || (data["value"].is_number())))
    fail(dump_python(data["value"]) + " is not of type 'string', 'number'");
}

// Python's `<` between two entity start offsets, as sorted() needs it.
bool start_less(const Json& a, const Json& b) {
  if (a.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  auto num = [](const Json& v) {
    return v.is_boolean() ? (v.get<bool>() ? 1.0L : 0.0L) : v.get<long double>();
  };
  return num(a) < num(b);
}

U32 generate_entity(const U32& text, const Json& entity) {
  U32 entity_text = py_slice(text, entity.value("start", Json()), entity.value("end", Json()));
  Json type = entity.value("entity", Json());
  Json value = entity.value("value", Json());
  Json role = entity.value("role", Json());
  Json group = entity.value("group", Json());
  if (py_truthy(value) && py_equal(value, Json(to_utf8(entity_text)))) value = nullptr;
  U32 out = U"[" + entity_text + U"]";
  if (value.is_null() && role.is_null() && group.is_null())
    return out + U"(" + to_u32(py_str(type)) + U")";
  Json dict = Json::object();
  if (!type.is_null()) dict["entity"] = type;
  if (!role.is_null()) dict["role"] = role;
  if (!group.is_null()) dict["group"] = group;
  if (!value.is_null()) dict["value"] = value;
  return out + to_u32(dump_python(dict));
}

std::string format_message(const std::string& raw_text, const Json& intent, const Json& entities) {
  const U32 source = to_u32(raw_text);
  // parse_training_example: annotations already in the text are checked, then reduced to their
  // text.
  std::vector<EntityMatch> annotations = find_entity_annotations(source);
  for (const auto& m : annotations)
    if (m.is_dict) validate_entity_dict(m.dict_body);
  U32 text;
  std::size_t pos = 0;
  for (const auto& m : annotations) {
    text += source.substr(pos, m.begin - pos);
    text += m.entity_text;
    pos = m.end;
  }
  text += source.substr(pos);
  // Message.build splits the intent at its response key.
  if (py_truthy(intent)) {
    if (!intent.is_string())
      throw WriteError{std::string("'") + py_type_name(intent) +
                       "' object has no attribute 'split'"};
    const std::string& name = intent.get_ref<const std::string&>();
    if (std::count(name.begin(), name.end(), '/') > 1)
      throw WriteError{"Intent name '" + name +
                       "' is invalid, it cannot contain more than one '/'."};
  }
  // TrainingDataWriter.generate_message
  if (!text.empty() && text[0] == '/') return to_utf8(text);
  std::vector<const Json*> placed;
  if (entities.is_array())
    for (const auto& e : entities)
      if (e.is_object() && e.contains("start") && e.contains("end")) placed.push_back(&e);
  if (placed.size() > 1) {
    bool any_string = false, any_number = false;
    for (const Json* e : placed) {
      const Json& s = (*e)["start"];
      if (s.is_string())
        any_string = true;
      else if (s.is_number() || s.is_boolean())
        any_number = true;
      else
        throw WriteError{std::string("'<' not supported between instances of '") + py_type_name(s) +
                         "' and '" + py_type_name(s) + "'"};
    }
    if (any_string && any_number)
      throw WriteError{"'<' not supported between instances of 'str' and 'int'"};
    std::stable_sort(placed.begin(), placed.end(), [](const Json* a, const Json* b) {
      return start_less((*a)["start"], (*b)["start"]);
    });
  }
  U32 md;
  Json cursor = 0;
  for (const Json* e : placed) {
    md += py_slice(text, cursor, (*e)["start"]);
    md += generate_entity(text, *e);
    cursor = (*e)["end"];
  }
  md += py_slice(text, cursor, Json());
  return to_utf8(md);
}

// ---------------------------------------------------------------------------------------------
// Trackers: sessions, travel back in time, and the user events' featurization flag

bool is_action(const Event& e, std::string_view name) {
  if (e.type != EventType::Action) return false;
  const Json& n = e.get("name");
  return n.is_string() && n.get_ref<const std::string&>() == name;
}

Json intent_name_of(const Event& user) {
  auto pd = user.data().find("parse_data");
  if (pd == user.data().end() || !pd->is_object()) return nullptr;
  auto intent = pd->find("intent");
  if (intent == pd->end() || !intent->is_object()) return nullptr;
  auto it = intent->find("name");
  return it == intent->end() ? Json() : *it;
}

// UserUttered.use_text_for_featurization lives on the event object: set when the event is built,
// then overwritten by every `user_featurization` event applied while it is the latest message -
// in every tracker Rasa builds from the same event objects (store load, session split, until).
class Featurization {
 public:
  Json flag(const Event& user) const {
    auto it = flags_.find(&user);
    if (it != flags_.end()) return it->second;
    const bool text = py_truthy(user.get("text"));
    const bool intent = py_truthy(intent_name_of(user));
    if (text && !intent) return true;
    if (intent && !text) return false;
    return nullptr;
  }

  // One tracker built from these events (DialogueStateTracker.from_events / travel_back_in_time).
  void apply_all(const std::vector<EventPtr>& events) {
    std::deque<EventPtr> seen;
    AppliedEvents applied;
    latest_message_ = nullptr;
    latest_action_ = nullptr;
    for (const auto& e : events) {
      seen.push_back(e);
      applied.appended(seen, false);
      switch (e->type) {
        case EventType::Rewind:
        case EventType::Undo:  // _reset() then replay_events() over the applied events
          latest_message_ = nullptr;
          latest_action_ = nullptr;
          for (const auto& x : applied.events()) apply(*x);
          break;
        default:
          apply(*e);
      }
    }
  }

 private:
  void apply(const Event& e) {
    switch (e.type) {
      case EventType::User:
        latest_message_ = &e;
        break;
      case EventType::Action: {
        const Json& name = e.get("name");
        latest_action_ = py_truthy(name) ? name : e.get("action_text");
        break;
      }
      case EventType::Restart:
      case EventType::SessionStarted:
        latest_message_ = nullptr;
        latest_action_ = nullptr;
        break;
      case EventType::UserFeaturization:
        if (latest_action_.is_string() &&
            latest_action_.get_ref<const std::string&>() == "action_listen" &&
            latest_message_ != nullptr)
          flags_[latest_message_] = e.get("use_text_for_featurization");
        break;
      default:
        break;
    }
  }

  std::unordered_map<const Event*, Json> flags_;
  const Event* latest_message_ = nullptr;
  Json latest_action_;
};

std::vector<EventPtr> travel_back(const std::vector<EventPtr>& events, double until) {
  std::vector<EventPtr> kept;
  for (const auto& e : events) {
    const Json& ts = e->timestamp();
    if (!ts.is_number())
      throw WriteError{std::string("'<=' not supported between instances of '") + py_type_name(ts) +
                       "' and 'float'"};
    if (!(ts.get<double>() <= until)) break;
    kept.push_back(e);
  }
  return kept;
}

// events.split_events(events, ActionExecuted, {"action_name": "action_session_start"}, True)
std::vector<std::vector<EventPtr>> split_sessions(const std::deque<EventPtr>& events) {
  std::vector<std::vector<EventPtr>> parts;
  std::vector<EventPtr> current;
  for (const auto& e : events) {
    if (is_action(*e, "action_session_start")) {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    }
    current.push_back(e);
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// YAMLStoryWriter.process_story_step in test-story mode

std::optional<YNode> user_step(const Event& e, const Featurization& featurization) {
  YNode step = YNode::map();
  const Json intent = intent_name_of(e);
  const Json flag = featurization.flag(e);
  if (py_truthy(intent) && !py_truthy(flag)) step.add("intent", YNode::value(intent));
  const Json& text = e.get("text");
  if (py_truthy(text)) {
    if (!text.is_string()) throw WriteError{"expected string or bytes-like object"};
    const Json& entities = e.nlu_entities();
    step.add("user",
             YNode::styled(YNode::Kind::Literal,
                           format_message(text.get_ref<const std::string&>(), intent, entities)));
  }
  if (step.entries.empty()) return std::nullopt;
  return step;
}

std::optional<YNode> story_step(const Event& e, const Featurization& featurization) {
  switch (e.type) {
    case EventType::User:
      return user_step(e, featurization);
    case EventType::Action: {
      if (is_action(e, "action_listen") || is_action(e, "action_unlikely_intent") ||
          is_action(e, "action_session_start") || is_action(e, "..."))
        return std::nullopt;
      YNode step = YNode::map();
      if (py_truthy(e.get("name")))
        step.add("action", YNode::value(e.get("name")));
      else if (py_truthy(e.get("action_text")))
        step.add("bot", YNode::value(e.get("action_text")));
      if (step.entries.empty()) return std::nullopt;
      return step;
    }
    case EventType::Slot: {
      const Json& key = e.get("name");
      if (key.is_array() || key.is_object())
        throw WriteError{std::string("unhashable type: '") + py_type_name(key) + "'"};
      YNode entry = YNode::map();
      entry.entries.emplace_back(YNode::value(key), from_json(e.get("value")));
      YNode list = YNode::seq();
      list.items.push_back(std::move(entry));
      YNode step = YNode::map();
      step.add("slot_was_set", std::move(list));
      return step;
    }
    case EventType::ActiveLoop: {
      YNode step = YNode::map();
      step.add("active_loop", from_json(e.get("name")));
      return step;
    }
    default:
      return std::nullopt;
  }
}

std::string write_stories(const Tracker& tracker, bool all_sessions, std::optional<double> until) {
  Featurization featurization;
  std::vector<EventPtr> everything(tracker.events().begin(), tracker.events().end());
  featurization.apply_all(everything);  // the tracker store's load

  std::vector<std::vector<EventPtr>> trackers;
  if (all_sessions) {
    trackers = split_sessions(tracker.events());
    for (const auto& part : trackers) featurization.apply_all(part);
  } else {
    trackers.push_back(std::move(everything));
  }
  if (until) {
    std::vector<std::vector<EventPtr>> kept;
    for (const auto& part : trackers) {
      auto back = travel_back(part, *until);
      featurization.apply_all(back);
      if (!back.empty()) kept.push_back(std::move(back));
    }
    trackers = std::move(kept);
  }

  YNode stories = YNode::seq();
  const bool numbered = trackers.size() > 1;
  for (std::size_t i = 0; i < trackers.size(); ++i) {
    std::string name = tracker.sender_id();
    if (numbered) name += ", story " + std::to_string(i + 1);
    std::deque<EventPtr> events(trackers[i].begin(), trackers[i].end());
    YNode steps = YNode::seq();
    for (const auto& e : applied_events(events))
      if (auto step = story_step(*e, featurization)) steps.items.push_back(std::move(*step));
    YNode story = YNode::map();
    story.add("story", YNode::value(name));
    story.add("steps", std::move(steps));
    stories.items.push_back(std::move(story));
  }

  YNode root = YNode::map();
  root.add("version", YNode::styled(YNode::Kind::DoubleQuoted, "2.0"));
  if (!stories.items.empty()) root.add("stories", std::move(stories));
  return story_yaml::emit_document(root);
}

}  // namespace

Result<std::string> try_tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                                           std::optional<double> until) {
  try {
    return write_stories(tracker, all_sessions, until);
  } catch (const WriteError& e) {
    return runtime_error(e.message);
  }
}

std::string tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                               std::optional<double> until) {
  auto result = try_tracker_story_yaml(tracker, all_sessions, until);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

}  // namespace convo
