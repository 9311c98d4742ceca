#include "convo/core/tracker.hpp"

#include <functional>
#include "convo/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace convo {

std::optional<Verbosity> parse_verbosity(std::string_view text) {
  const std::string upper = ascii_upper(std::string(text));
  if (upper == "NONE") return Verbosity::None;
  if (upper == "APPLIED") return Verbosity::Applied;
  if (upper == "AFTER_RESTART") return Verbosity::AfterRestart;
  if (upper == "ALL") return Verbosity::All;
  return std::nullopt;
}

std::string_view verbosity_name(Verbosity v) {
  switch (v) {
    case Verbosity::None: return "NONE";
    case Verbosity::Applied: return "APPLIED";
    case Verbosity::AfterRestart: return "AFTER_RESTART";
    case Verbosity::All: return "ALL";
  }
  return "NONE";
}

namespace {

// The one selection rule: keep items whose type is in `types` (all when empty), then the last `tail`.
template <class Items, class TypeOf>
Items select_items(Items items, TypeOf type_of, const std::vector<std::string>& types, std::optional<std::size_t> tail) {
  if (!types.empty()) {
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const auto& item) {
                                 return std::find(types.begin(), types.end(), type_of(item)) == types.end();
                               }),
                items.end());
  }
  if (tail && items.size() > *tail) items.erase(items.begin(), items.end() - static_cast<std::ptrdiff_t>(*tail));
  return items;
}

}  // namespace

std::vector<EventPtr> select_events(std::vector<EventPtr> events, const std::vector<std::string>& types,
                                    std::optional<std::size_t> tail) {
  return select_items(std::move(events), [](const EventPtr& e) { return std::string(e->name()); }, types, tail);
}

Json select_events(Json events, const std::vector<std::string>& types, std::optional<std::size_t> tail) {
  if (!events.is_array()) return events;
  return select_items(std::move(events), [](const Json& e) { return string_or(e, "event"); }, types, tail);
}

namespace {

// UserUttered.empty(): a fresh one per reset, since `entities` events may grow its list.
EventPtr empty_user_message() {
  auto e = std::make_shared<Event>();
  e->type = EventType::User;
  e->set_data({{"event", "user"},
             {"timestamp", nullptr},
             {"text", nullptr},
             {"parse_data",
              {{"intent", Json::object()},
               {"entities", Json::array()},
               {"text", nullptr},
               {"message_id", nullptr},
               {"metadata", Json::object()}}},
             {"input_channel", nullptr},
             {"message_id", nullptr},
             {"metadata", Json::object()}});
  e->own_entities = Json::array();
  return e;
}

// Python dict-key identity of a slot name (1 == 1.0 == True share a key) and the key text
// json.dumps writes for it. Arrays and objects are unhashable.
std::optional<std::pair<std::string, std::string>> slot_key(const Json& name) {
  if (name.is_string()) return std::make_pair("s" + name.get<std::string>(), name.get<std::string>());
  if (name.is_null()) return std::make_pair(std::string("n"), std::string("null"));
  if (name.is_boolean()) {
    bool b = name.get<bool>();
    return std::make_pair(std::string(b ? "#1" : "#0"), std::string(b ? "true" : "false"));
  }
  if (name.is_number()) {
    double d = name.get<double>();
    std::string id = (std::floor(d) == d && std::fabs(d) < 1e18)
                         ? "#" + std::to_string(static_cast<long long>(d))
                         : "#" + name.dump();
    return std::make_pair(id, name.dump());
  }
  return std::nullopt;
}

}  // namespace

Tracker::Tracker(std::string sender_id, std::shared_ptr<const Domain> domain,
                 std::optional<std::size_t> max_event_history)
    : sender_id_(std::move(sender_id)),
      domain_(std::move(domain)),
      max_event_history_(max_event_history) {
  if (domain_) {
    for (const auto& def : domain_->slots) {
      slot_index_.emplace("s" + def.name, slots_.size());
      slots_.push_back({def.name, nullptr, &def});
    }
  }
  reset();
}

std::optional<Error> Tracker::update(EventPtr event) {
  events_.push_back(event);
  bool dropped = max_event_history_ && events_.size() > *max_event_history_;
  if (dropped) events_.pop_front();
  applied_.appended(events_, dropped);
  return apply(event);
}

std::optional<Error> Tracker::update_with_autofill(EventPtr event, double now) {
  if (auto err = update(event)) return err;
  if (!domain_ || (event->type != EventType::User && event->type != EventType::Entities))
    return std::nullopt;
  const Json& entities = event->type == EventType::User ? event->data()["parse_data"]["entities"]
                                                        : event->get("entities");
  auto fills = domain_->slots_for_entities(entities);
  if (!fills) return fills.error();
  for (auto& [name, value] : *fills) {
    auto slot = std::make_shared<Event>();
    slot->type = EventType::Slot;
    slot->set_data({{"event", "slot"}, {"timestamp", now}, {"name", name}, {"value", value}});
    if (auto err = update(slot)) return err;
  }
  return std::nullopt;
}

std::optional<Error> Tracker::apply(const EventPtr& event) {
  const Event& e = *event;
  switch (e.type) {
    case EventType::User:
      latest_message_ = event;  // shared, as in Rasa: entities added later show in the event too
      followup_action_ = nullptr;
      break;
    case EventType::Entities: return apply_entities(e);
    case EventType::Bot: latest_bot_utterance_ = event; break;
    case EventType::Slot: return set_slot(e.get("name"), e.get("value"));
    case EventType::Restart:
      reset();
      followup_action_ = "action_session_start";
      break;
    case EventType::Rewind:
    case EventType::Undo:
      reset();
      return replay();
    case EventType::ResetSlots: reset_slots(); break;
    case EventType::Followup: followup_action_ = e.get("name"); break;
    case EventType::Pause: paused_ = true; break;
    case EventType::Resume: paused_ = false; break;
    case EventType::Action:
      set_latest_action(event);
      followup_action_ = nullptr;
      break;
    case EventType::ActiveLoop: change_loop_to(e.get("name")); break;
    case EventType::LoopInterrupted: active_loop_["is_interrupted"] = e.get("is_interrupted"); break;
    case EventType::ActionExecutionRejected:
      if (py_equal(e.get("name"), active_loop_name())) active_loop_["rejected"] = true;
      break;
    case EventType::SessionStarted: reset(); break;
    default: break;  // user_featurization (no visible state), reminders, agent, export, 3.x types
  }
  return std::nullopt;
}

namespace {

// Python's iteration over the value an `entities` event carries.
std::optional<std::vector<Json>> iterate(const Json& v) {
  std::vector<Json> items;
  if (v.is_array()) {
    items.assign(v.begin(), v.end());
  } else if (v.is_object()) {
    for (const auto& [k, _] : v.items()) items.emplace_back(k);
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    for (std::size_t i = 0; i < s.size();) {  // one item per UTF-8 code point
      std::size_t n = 1;
      auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0xF0) n = 4;
      else if (c >= 0xE0) n = 3;
      else if (c >= 0xC0) n = 2;
      items.emplace_back(s.substr(i, n));
      i += n;
    }
  } else {
    return std::nullopt;
  }
  return items;
}

bool py_contains(const Json& list, const Json& item) {
  for (const auto& x : list)
    if (py_equal(x, item)) return true;
  return false;
}

}  // namespace

std::optional<Error> Tracker::apply_entities(const Event& e) {
  if (latest_action_name() != "action_listen") return std::nullopt;
  auto items = iterate(e.get("entities"));
  if (!items) {
    return runtime_error("field \"entities\": expected a list of entities, got " +
                         describe_type(e.get("entities")));
  }
  Json& target = latest_message_->nlu_entities();
  if (!target.is_array()) {
    return runtime_error("the latest user message's entities are " + describe_type(target) +
                         ", not a list, so entities cannot be added");
  }
  for (auto& item : *items)
    if (!py_contains(target, item)) target.push_back(std::move(item));
  return std::nullopt;
}

std::optional<Error> Tracker::set_slot(const Json& name, const Json& value) {
  auto key = slot_key(name);
  if (!key) {
    return runtime_error("field \"name\": expected a slot name, got " + describe_type(name) +
                         " (an unhashable slot name)");
  }
  auto it = slot_index_.find(key->first);
  if (it != slot_index_.end()) {
    set_slot_value(slots_[it->second], value);
  } else if (!domain_) {
    slot_index_.emplace(key->first, slots_.size());
    slots_.push_back({key->second, nullptr, nullptr});
    set_slot_value(slots_.back(), value);
  }
  // With a domain an unknown slot changes nothing; the event stays in the log (Rasa logs it).
  return std::nullopt;
}

void Tracker::set_slot_value(SlotState& slot, const Json& value) {
  if (slot.def && slot.def->is_list() && py_truthy(value) && !value.is_array()) {
    slot.value = Json::array({value});
  } else {
    slot.value = value;
  }
}

void Tracker::set_latest_action(const EventPtr& action) {
  latest_action_event_ = action;  // latest_action is built from it when asked
  Json loop = active_loop_name();
  if (py_truthy(loop)) active_loop_["is_interrupted"] = false;
  const Json& name = action->get("name");  // kept beside a decoded text: no data() built
  Json acted = py_truthy(name) ? name : Json();
  if (py_equal(acted, loop)) active_loop_["rejected"] = false;
}

Json Tracker::latest_action() const {
  Json out = Json::object();
  if (!latest_action_event_) return out;
  const Json& name = latest_action_event_->get("name");
  if (py_truthy(name)) {
    out["action_name"] = name;
  } else {
    out["action_text"] = latest_action_event_->get("action_text");
  }
  return out;
}

void Tracker::change_loop_to(const Json& name) {
  if (!name.is_null()) {
    active_loop_ = {{"name", name}, {"is_interrupted", false}, {"rejected", false}};
    loop_trigger_ = latest_message_;
  } else {
    active_loop_ = Json::object();
    loop_trigger_.reset();
  }
}

Json Tracker::active_loop_name() const {
  if (active_loop_.empty()) return nullptr;
  auto it = active_loop_.find("name");
  if (it == active_loop_.end() || *it == "should_not_be_set") return nullptr;
  return *it;
}

Json Tracker::latest_action_name() const {
  if (!latest_action_event_) return nullptr;
  const Json& name = latest_action_event_->get("name");
  return py_truthy(name) ? name : latest_action_event_->get("action_text");
}

void Tracker::reset() {
  reset_slots();
  paused_ = false;
  latest_action_event_.reset();
  latest_message_ = empty_user_message();
  latest_bot_utterance_.reset();
  followup_action_ = "action_listen";
  active_loop_ = Json::object();
  loop_trigger_.reset();
}

void Tracker::reset_slots() {
  for (auto& slot : slots_) set_slot_value(slot, slot.def ? slot.def->initial_value : Json());
}

std::optional<Error> Tracker::replay() {
  // A copy: re-applying never changes the event list, but keep the loop independent of it.
  const std::vector<EventPtr> applied = applied_events();
  for (const auto& e : applied)
    if (auto err = apply(e)) return err;
  return std::nullopt;
}

std::vector<EventPtr> Tracker::events_after_latest_restart() const {
  std::size_t start = 0;
  for (std::size_t i = events_.size(); i > 0; --i) {
    if (events_[i - 1]->type == EventType::Restart) {
      start = i;
      break;
    }
  }
  return {events_.begin() + static_cast<std::ptrdiff_t>(start), events_.end()};
}

std::vector<EventPtr> Tracker::events_for(Verbosity verbosity) const {
  switch (verbosity) {
    case Verbosity::All: return {events_.begin(), events_.end()};
    case Verbosity::AfterRestart: return events_after_latest_restart();
    case Verbosity::Applied: return applied_events();
    case Verbosity::None: break;
  }
  return {};
}

Json Tracker::slot_values() const {
  Json out = Json::object();
  for (const auto& slot : slots_) out[slot.key] = slot.value;
  return out;
}

const Json& Tracker::slot_value(const std::string& name) const {
  static const Json none;
  for (const auto& slot : slots_)
    if (slot.def ? slot.def->name == name : slot.key == name) return slot.value;
  return none;
}

Json Tracker::latest_message_data() const {
  const Event& latest = *latest_message_;
  Json data = latest.data()["parse_data"];
  data["entities"] = latest.nlu_entities();
  return data;
}

Json Tracker::active_loop_state() const {
  Json loop = active_loop_;
  if (loop_trigger_) loop["trigger_message"] = loop_trigger_->data()["parse_data"];
  return loop;
}

Json Tracker::latest_input_channel() const {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it)
    if ((*it)->type == EventType::User) return (*it)->get("input_channel");
  return nullptr;
}

namespace {

// The members of a compact JSON object, without its braces.
std::string members_text(const Json& object) {
  std::string text = dump_compact(object);
  return text.substr(1, text.size() - 2);
}

}  // namespace

// The state's keys in Rasa's order: those before `events`, and those after it.
void Tracker::state_parts(Json& head, Json& tail) const {
  head = Json::object();
  head.get_ref<Json::object_t&>().reserve(11);
  head["sender_id"] = sender_id_;
  head["slots"] = slot_values();
  head["latest_message"] = latest_message_data();
  head["latest_event_time"] = events_.empty() ? Json() : events_.back()->timestamp();
  head["followup_action"] = followup_action_;
  head["paused"] = paused_;
  tail = Json::object();
  tail["latest_input_channel"] = latest_input_channel();
  tail["active_loop"] = active_loop_state();
  tail["latest_action"] = latest_action();
  tail["latest_action_name"] = latest_action_name();
}

void Tracker::write_state_json(Verbosity verbosity, const std::vector<EventPtr>* chosen,
                               const std::function<void(std::string_view)>& sink) const {
  Json head, tail;
  state_parts(head, tail);
  constexpr std::size_t kChunk = 1 << 16;
  std::string out;
  out.reserve(kChunk + 4096);
  out += '{';
  out += members_text(head);
  out += ",\"events\":";
  if (verbosity == Verbosity::None) {
    out += "null";
  } else {
    std::vector<EventPtr> own;
    if (!chosen) own = events_for(verbosity);
    const std::vector<EventPtr>& list = chosen ? *chosen : own;
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out += ',';
      list[i]->append_compact(out);
      if (out.size() >= kChunk) {
        sink(out);
        out.clear();
      }
    }
    out += ']';
  }
  out += ',';
  out += members_text(tail);
  out += '}';
  sink(out);
}

std::string Tracker::state_json(Verbosity verbosity, const std::vector<EventPtr>* chosen) const {
  std::string out;
  write_state_json(verbosity, chosen, [&](std::string_view part) { out += part; });
  return out;
}

Json Tracker::current_state(Verbosity verbosity) const {
  Json events = nullptr;
  if (verbosity != Verbosity::None) {
    events = Json::array();
    for (const auto& e : events_for(verbosity)) events.push_back(e->data());
  }
  Json state, tail;
  state_parts(state, tail);
  state["events"] = std::move(events);
  for (auto& [key, value] : tail.items()) state[key] = std::move(value);
  return state;
}

}  // namespace convo
