#include "convo/core/event.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>

#include "convo/core/datetime.hpp"
#include "convo/core/json_restyle.hpp"

namespace convo {

std::string_view type_name(EventType type) {
  switch (type) {
    case EventType::User: return "user";
    case EventType::UserFeaturization: return "user_featurization";
    case EventType::Entities: return "entities";
    case EventType::Bot: return "bot";
    case EventType::Slot: return "slot";
    case EventType::Restart: return "restart";
    case EventType::Rewind: return "rewind";
    case EventType::ResetSlots: return "reset_slots";
    case EventType::Reminder: return "reminder";
    case EventType::CancelReminder: return "cancel_reminder";
    case EventType::Undo: return "undo";
    case EventType::Export: return "export";
    case EventType::Followup: return "followup";
    case EventType::Pause: return "pause";
    case EventType::Resume: return "resume";
    case EventType::Action: return "action";
    case EventType::Agent: return "agent";
    case EventType::ActiveLoop: return "active_loop";
    case EventType::LoopInterrupted: return "loop_interrupted";
    case EventType::ActionExecutionRejected: return "action_execution_rejected";
    case EventType::SessionStarted: return "session_started";
    case EventType::Passthrough: return "";
  }
  return "";
}

namespace {
const Json& null_json() {
  static const Json null_value;
  return null_value;
}

// Events decoded from text build their data on first use, perhaps on two threads at once.
std::mutex& parse_lock(const void* event) {
  static std::mutex locks[16];
  return locks[(reinterpret_cast<std::uintptr_t>(event) >> 4) % 16];
}
}  // namespace

Event::Event(const Event& other)
    : type(other.type),
      hidden(other.hidden),
      entities_aliased(other.entities_aliased),
      own_entities(other.own_entities),
      data_(other.data()),
      text_(other.text_),
      kept_(other.kept_) {}

Event& Event::operator=(const Event& other) {
  if (this != &other) {
    type = other.type;
    hidden = other.hidden;
    entities_aliased = other.entities_aliased;
    own_entities = other.own_entities;
    data_ = other.data();
    have_data_.store(true, std::memory_order_release);
    text_ = other.text_;
    kept_ = other.kept_;
  }
  return *this;
}

std::shared_ptr<Event> Event::from_text(EventType type, std::string compact, bool entities_aliased, Kept kept) {
  auto e = std::make_shared<Event>();
  e->type = type;
  e->text_ = std::move(compact);
  e->have_data_.store(false, std::memory_order_relaxed);
  e->entities_aliased = entities_aliased;
  e->kept_ = std::move(kept);
  if (type == EventType::User) e->own_entities = Json::array();
  return e;
}

void Event::ensure_data() const {
  if (have_data_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> guard(parse_lock(this));
  if (have_data_.load(std::memory_order_relaxed)) return;
  data_ = Json::parse(text_);  // text the codec wrote: it parses
  have_data_.store(true, std::memory_order_release);
}

const Json& Event::data() const {
  ensure_data();
  return data_;
}

Json& Event::edit() {
  ensure_data();
  text_.clear();
  text_.shrink_to_fit();
  return data_;
}

void Event::keep_as_text() {
  if (!have_data_.load(std::memory_order_acquire)) return;
  text_ = dump_compact(data_);
  auto member = [&](const char* key) {
    auto it = data_.find(key);
    return it == data_.end() ? Json() : *it;
  };
  kept_ = {member("name"), member("timestamp"), intent_name(), member("value")};
  data_ = Json();
  have_data_.store(false, std::memory_order_release);
}

void Event::set_data(Json d) {
  data_ = std::move(d);
  have_data_.store(true, std::memory_order_release);
  text_.clear();
}

void Event::append_compact(std::string& out) const {
  if (!text_.empty()) {
    out += text_;
  } else {
    out += dump_compact(data());
  }
}

std::string Event::python_text() const {
  if (!text_.empty()) {
    std::string out;
    if (restyle_json(text_, JsonStyle::Python, out) == Restyled::Ok) return out;
  }
  return dump_python(data());
}

const Json& Event::get(const char* key) const {
  if (!have_data_.load(std::memory_order_acquire)) {
    const std::string_view k(key);
    if (k == "name") return kept_.name;
    if (k == "timestamp") return kept_.timestamp;
    if (k == "value") return kept_.value;
  }
  const Json& d = data();
  auto it = d.find(key);
  return it == d.end() ? null_json() : *it;
}

std::string_view Event::name() const {
  // A kept text is Rasa's form, whose event name is the type's (3.x types keep their own).
  if (!have_data_.load(std::memory_order_acquire) && type != EventType::Passthrough) return type_name(type);
  const Json& n = get("event");
  return n.is_string() ? std::string_view(n.get_ref<const std::string&>()) : std::string_view();
}

Json& Event::nlu_entities() {
  return entities_aliased ? edit()["parse_data"]["entities"] : own_entities;
}

const Json& Event::nlu_entities() const {
  return entities_aliased ? data()["parse_data"]["entities"] : own_entities;
}

Json Event::intent_name() const {
  if (!have_data_.load(std::memory_order_acquire)) return kept_.intent_name;
  const Json& parse_data = get("parse_data");
  if (!parse_data.is_object()) return nullptr;
  auto intent = parse_data.find("intent");
  if (intent == parse_data.end() || !intent->is_object()) return nullptr;
  auto name = intent->find("name");
  return name == intent->end() ? Json() : *name;
}

double wall_clock_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

ParseContext system_parse_context() {
  return ParseContext{wall_clock_now, [] { return uuid1(wall_clock_now()); }};
}

namespace {

// A copy of an object without its null-valued keys (Rasa compares bot data and metadata so).
Json without_nulls(const Json& v) {
  if (!v.is_object()) return v;
  Json out = Json::object();
  for (const auto& [k, val] : v.items())
    if (!val.is_null()) out[k] = val;
  return out;
}

bool fields_equal(const Event& a, const Event& b, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (!py_equal(a.get(k), b.get(k))) return false;
  return true;
}

}  // namespace

bool events_equal(const Event& a, const Event& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case EventType::User: {
      if (!py_equal(a.get("text"), b.get("text")) || !py_equal(a.intent_name(), b.intent_name()))
        return false;
      // Rasa compares the entities' JSON text (jsonpickle), so 1 and 1.0 or key order differ.
      const Json& x = a.nlu_entities();
      const Json& y = b.nlu_entities();
      if (!x.is_array() || !y.is_array() || x.size() != y.size()) return dump_python(x) == dump_python(y);
      for (std::size_t i = 0; i < x.size(); ++i)
        if (dump_python(x[i]) != dump_python(y[i])) return false;
      return true;
    }
    case EventType::Bot:
      return py_equal(a.get("text"), b.get("text")) &&
             py_equal(without_nulls(a.get("data")), without_nulls(b.get("data"))) &&
             py_equal(without_nulls(a.get("metadata")), without_nulls(b.get("metadata")));
    case EventType::Action:
      return fields_equal(a, b, {"name", "action_text"}) &&
             py_equal(without_nulls(a.get("metadata")), without_nulls(b.get("metadata")));
    case EventType::Slot: return fields_equal(a, b, {"name", "value"});
    case EventType::Reminder:
    case EventType::Followup:
    case EventType::ActiveLoop:
    case EventType::ActionExecutionRejected: return fields_equal(a, b, {"name"});
    case EventType::LoopInterrupted: return fields_equal(a, b, {"is_interrupted"});
    case EventType::UserFeaturization: return fields_equal(a, b, {"use_text_for_featurization"});
    case EventType::Entities: return fields_equal(a, b, {"entities"});
    case EventType::Agent: return fields_equal(a, b, {"text", "data"});
    case EventType::CancelReminder:  // (name, intent, str(entities))
      return py_equal(a.hidden["name"], b.hidden["name"]) &&
             py_equal(a.hidden["intent"], b.hidden["intent"]) &&
             py_str(a.hidden["entities"]) == py_str(b.hidden["entities"]);
    case EventType::Export: return py_equal(a.hidden, b.hidden);
    case EventType::Passthrough: {
      Json x = a.data(), y = b.data();
      x.erase("timestamp");
      y.erase("timestamp");
      return py_equal(x, y);
    }
    default: return true;  // restart, rewind, undo, reset_slots, pause, resume, session_started
  }
}

}  // namespace convo
