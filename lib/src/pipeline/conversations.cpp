#include "convo/pipeline/conversations.hpp"
#include "conversation_lock.hpp"

#include "convo/core/broker_message.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/tracker_builder.hpp"
#include <algorithm>

#include "convo/core/event.hpp"

namespace convo {

std::shared_ptr<std::mutex> Conversations::LockTable::acquire(const std::string& id) {
  std::shared_ptr<std::mutex> lock;
  {
    std::lock_guard<std::mutex> guard(guard_);
    auto& slot = locks_[id];
    lock = slot.lock();
    if (!lock) {
      lock = std::make_shared<std::mutex>();
      slot = lock;
    }
  }
  lock->lock();
  return lock;
}

void Conversations::LockTable::release(const std::string& id, std::shared_ptr<std::mutex>& held) {
  held->unlock();
  std::lock_guard<std::mutex> guard(guard_);
  held.reset();
  auto it = locks_.find(id);
  if (it != locks_.end() && it->second.expired()) locks_.erase(it);
}

namespace {

// Rasa's do_events_begin_with_session_start (§10.6), by event equality.
bool begins_with_session_start(const std::vector<EventPtr>& events) {
  if (events.size() < 2) return false;
  const Event& first = *events[0];
  return first.type == EventType::Action && first.get("name") == "action_session_start" &&
         first.get("action_text").is_null() && !py_truthy(first.get("metadata")) &&
         events[1]->type == EventType::SessionStarted;
}

}  // namespace

Result<std::size_t> stored_event_count(TrackerStore& store, const std::string& id) {
  auto stored = store.load(id, LoadOptions{});
  if (!stored) return stored.error();
  return *stored ? (**stored).events.size() : std::size_t{0};
}

Conversations::Conversations(std::shared_ptr<TrackerStore> store, std::shared_ptr<const Domain> domain,
                             ParseContext ctx)
    : store_(std::move(store)), domain_(std::move(domain)), ctx_(std::move(ctx)) {}

std::vector<EventPtr> Conversations::session_start_events() const {
  const double now = ctx_.now();
  Json raw = Json::array({
      {{"event", "action"}, {"timestamp", now}, {"name", "action_session_start"}, {"policy", nullptr}, {"confidence", 1.0}},
      {{"event", "session_started"}, {"timestamp", now}},
      {{"event", "action"}, {"timestamp", now}, {"name", "action_listen"}, {"policy", nullptr}, {"confidence", nullptr}},
  });
  return parse_events(raw, ctx_).events;
}

Result<std::unique_ptr<Tracker>> Conversations::load(const std::string& id, std::optional<double> until,
                                                     bool all_sessions) {
  LoadOptions options;
  options.all_sessions = all_sessions;
  Result<std::optional<StoredConversation>> stored = [&] {
    std::lock_guard<std::mutex> guard(store_mutex_);
    return store_->load(id, options);
  }();
  if (!stored) return stored.error();
  if (!stored->has_value()) return std::unique_ptr<Tracker>();
  BuildOptions build;
  build.until = until;
  auto tracker = build_tracker(id, (**stored).events, domain(), build, ctx_);
  if (!tracker) return runtime_error("stored conversation '" + id + "' cannot be loaded: " + tracker.error().message);
  return std::move(*tracker);
}

Result<std::unique_ptr<Tracker>> Conversations::get(const std::string& id, std::optional<double> until) {
  auto tracker = load(id, until);
  if (!tracker) return tracker.error();
  if (*tracker && !(*tracker)->events().empty()) return std::move(*tracker);
  auto fresh = std::make_unique<Tracker>(id, domain());
  for (const auto& e : session_start_events())
    if (auto err = fresh->update(e)) return *err;
  return fresh;
}

Result<std::unique_ptr<Tracker>> Conversations::load_or_new(const std::string& id) {
  auto loaded = load(id);
  if (!loaded) return loaded.error();
  if (*loaded) return std::move(*loaded);
  return std::make_unique<Tracker>(id, domain());
}

void Conversations::set_outbox_listener(std::function<void()> listener) {
  std::lock_guard<std::mutex> guard(listener_mutex_);
  outbox_listener_ = std::move(listener);
}

std::vector<std::string> Conversations::outbox_for(const std::string& id, const std::vector<EventPtr>& events) const {
  {
    std::lock_guard<std::mutex> guard(listener_mutex_);
    if (!outbox_listener_) return {};
  }
  return broker_bodies(id, events);
}

void Conversations::announce() const {
  std::lock_guard<std::mutex> guard(listener_mutex_);
  if (outbox_listener_) outbox_listener_();
}

std::optional<Error> Conversations::store_new_events(const Tracker& tracker, std::size_t before) {
  std::vector<EventPtr> fresh(tracker.events().begin() + static_cast<std::ptrdiff_t>(before), tracker.events().end());
  auto outbox = outbox_for(tracker.sender_id(), fresh);
  {
    std::lock_guard<std::mutex> guard(store_mutex_);
    if (auto err = store_->append(tracker.sender_id(), fresh, outbox)) return err;
  }
  if (!outbox.empty()) announce();
  return std::nullopt;
}

Result<std::unique_ptr<Tracker>> Conversations::append(const std::string& id, const Json& events) {
  ParsedEvents parsed = parse_events(events, ctx_);
  if (!parsed.ok()) return runtime_error(parsed.errors.front());
  if (parsed.events.empty()) return usage_error("Couldn't extract a proper event from the request body.");
  return append_parsed(id, parsed.events, [&](std::size_t i) {
    return item_label(parsed.source_index[i], events[parsed.source_index[i]]);
  }, SessionStart::IfNew);
}

std::optional<Error> Conversations::append(const std::string& id, const std::vector<EventPtr>& events,
                                          SessionStart rule) {
  if (store_->is_server()) {
    std::lock_guard<std::mutex> guard(store_mutex_);
    return store_->append(id, events);
  }
  auto done = append_parsed(id, events, [](std::size_t i) { return "events[" + std::to_string(i) + "]"; }, rule);
  if (!done) return done.error();
  return std::nullopt;
}

Result<std::unique_ptr<Tracker>> Conversations::append_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                                              const std::function<std::string(std::size_t)>& label,
                                                              SessionStart rule) {
  ConversationLock lock(locks_, id);
  auto loaded = load_or_new(id);
  if (!loaded) return loaded.error();
  std::unique_ptr<Tracker> tracker = std::move(*loaded);
  const std::size_t before = tracker->events().size();
  if (rule == SessionStart::IfNew && before == 0 && !begins_with_session_start(events)) {
    for (const auto& e : session_start_events())
      if (auto err = tracker->update(e)) return *err;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    // Auto-fill may log slot events after the event; they are new events too.
    if (auto err = tracker->update_with_autofill(events[i], ctx_.now())) return runtime_error(label(i) + ": " + err->message);
  }
  if (auto err = store_new_events(*tracker, before)) return *err;
  return tracker;
}

bool Conversations::needs_session_start(const Tracker& tracker) const {
  const auto& applied = tracker.applied_events();
  if (applied.empty()) return true;
  const auto domain_now = domain();
  Json minutes = domain_now ? domain_now->session_config.session_expiration_time : Json(60);
  if (!minutes.is_number() || minutes.get<double>() <= 0) return false;
  for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
    if ((*it)->type != EventType::User) continue;
    const Json& ts = (*it)->timestamp();
    return ts.is_number() && (ctx_.now() - ts.get<double>()) / 60.0 > minutes.get<double>();
  }
  return false;
}

std::optional<Error> Conversations::start_session_if_needed(Tracker& tracker, const Json& metadata) {
  if (!needs_session_start(tracker)) return std::nullopt;
  // action_session_start (policy null), then its events (§10.3: carry-over after session_started).
  if (auto err = tracker.update(session_start_events()[0])) return err;
  const auto domain_now = domain();
  for (const auto& raw : dialogue::session_start_sequence(tracker, domain_now.get(), metadata, ctx_.now())) {
    auto event = parse_event(raw, ctx_);
    if (!event) return event.error();
    if (auto err = tracker.update(*event)) return err;
  }
  return std::nullopt;
}

Result<Conversations::TurnStart> Conversations::start_turn(const std::string& id, const Json& metadata) {
  auto loaded = load_or_new(id);
  if (!loaded) return loaded.error();
  TurnStart start{std::move(*loaded), 0};
  start.before = start.tracker->events().size();
  if (auto err = start_session_if_needed(*start.tracker, metadata)) return *err;
  return start;
}

Result<std::unique_ptr<Tracker>> Conversations::log_message(const std::string& id, const std::string& text,
                                                            const Json& parse_data) {
  ConversationLock lock(locks_, id);
  auto started = start_turn(id, Json());
  if (!started) return started.error();
  std::unique_ptr<Tracker> tracker = std::move(started->tracker);
  const std::size_t before = started->before;
  Json event = {{"event", "user"},
                {"timestamp", ctx_.now()},
                {"text", text},
                {"parse_data", parse_data},
                {"input_channel", nullptr},
                {"message_id", [&] { std::string hex = ctx_.new_uuid(); hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end()); return hex; }()}};
  auto user = parse_event(event, ctx_);
  if (!user) return runtime_error("the message cannot be logged: " + user.error().message);
  if (auto err = tracker->update_with_autofill(*user, ctx_.now())) return *err;
  if (auto err = store_new_events(*tracker, before)) return *err;
  return tracker;
}

Result<std::unique_ptr<Tracker>> Conversations::replace(const std::string& id, const Json& events) {
  ParsedEvents parsed = parse_events(events, ctx_);
  if (!parsed.ok()) return runtime_error(parsed.errors.front());
  return replace_parsed(id, parsed.events, [&](std::size_t i) {
    return item_label(parsed.source_index[i], events[parsed.source_index[i]]);
  });
}

std::optional<Error> Conversations::replace(const std::string& id, const std::vector<EventPtr>& events) {
  if (store_->is_server()) {
    std::lock_guard<std::mutex> guard(store_mutex_);
    return store_->replace(id, events);
  }
  auto done = replace_parsed(id, events, [](std::size_t i) { return "events[" + std::to_string(i) + "]"; });
  if (!done) return done.error();
  return std::nullopt;
}

Result<std::unique_ptr<Tracker>> Conversations::replace_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                                               const std::function<std::string(std::size_t)>& label) {
  auto tracker = std::make_unique<Tracker>(id, domain());
  for (std::size_t i = 0; i < events.size(); ++i)
    if (auto err = tracker->update(events[i])) return runtime_error(label(i) + ": " + err->message);
  ConversationLock lock(locks_, id);
  // Like Rasa's save (§3), the broker hears of the events beyond as many as were stored before.
  std::vector<std::string> outbox = outbox_for(id, events);
  {
    std::lock_guard<std::mutex> guard(store_mutex_);
    if (!outbox.empty()) {
      auto stored = stored_event_count(*store_, id);
      if (!stored) return stored.error();
      outbox.erase(outbox.begin(), outbox.begin() + static_cast<std::ptrdiff_t>(std::min(*stored, outbox.size())));
    }
    if (auto err = store_->replace(id, events, outbox)) return *err;
  }
  if (!outbox.empty()) announce();
  return tracker;
}

}  // namespace convo
