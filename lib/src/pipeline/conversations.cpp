#include "convo/pipeline/conversations.hpp"
#include "conversation_lock.hpp"
#include "tracker_cache.hpp"

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
  return *stored ? (**stored).size() : std::size_t{0};
}

// Conversations kept in memory by default, in events (kept as compact text; with the policies'
// memory about 1.5 KB per event, so ~350 MB when full, measured under bench/dialogue's load; a
// server under a steady load holds its memory flat once the cache is full).
constexpr std::size_t kDefaultCacheEvents = 200000;

Conversations::Conversations(std::shared_ptr<TrackerStore> store, std::shared_ptr<const Domain> domain,
                             ParseContext ctx)
    : store_(std::move(store)), domain_(std::move(domain)), ctx_(std::move(ctx)),
      cache_(std::make_unique<TrackerCache>(kDefaultCacheEvents)) {}

Conversations::~Conversations() = default;

void Conversations::set_cache_limit(std::size_t events) {
  cache_ = events ? std::make_unique<TrackerCache>(events) : nullptr;
}

Result<std::optional<std::int64_t>> Conversations::cache_version(const std::string& id) {
  if (!cache_) return std::optional<std::int64_t>();
  std::lock_guard<std::mutex> guard(store_mutex_);
  return store_->version(id);
}

Result<Conversations::Working> Conversations::checkout(const std::string& id) {
  auto version = cache_version(id);
  if (!version) return version.error();
  const auto domain_now = domain();
  if (*version)
    if (auto cached = cache_->take(id, **version); cached && cached->tracker->domain() == domain_now) {
      // A reader may still hold the tracker it was handed: this writer changes a copy.
      if (cached->tracker.use_count() > 1) cached->tracker = std::make_shared<Tracker>(*cached->tracker);
      const std::size_t before = cached->tracker->events().size();
      return Working{std::move(cached->tracker), std::move(cached->memory), before};
    }
  auto loaded = load(id);
  if (!loaded) return loaded.error();
  std::shared_ptr<Tracker> tracker = *loaded ? std::shared_ptr<Tracker>(std::move(*loaded)) : std::make_shared<Tracker>(id, domain_now);
  const std::size_t before = tracker->events().size();
  return Working{std::move(tracker), std::make_shared<dialogue::PredictionMemory>(), before};
}

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
  options.decode = &ctx_;
  Result<std::optional<StoredConversation>> stored = [&] {
    std::lock_guard<std::mutex> guard(store_mutex_);
    return store_->load(id, options);
  }();
  if (!stored) return stored.error();
  if (!stored->has_value()) return std::unique_ptr<Tracker>();
  BuildOptions build;
  build.until = until;
  auto& got = **stored;
  auto tracker = got.decoded ? build_tracker(id, std::move(*got.decoded), domain(), build, ctx_)
                             : build_tracker(id, std::move(got.events), domain(), build, ctx_);
  if (!tracker) return runtime_error("stored conversation '" + id + "' cannot be loaded: " + tracker.error().message);
  return std::move(*tracker);
}

Result<Conversations::TrackerRef> Conversations::get(const std::string& id, std::optional<double> until) {
  std::optional<std::int64_t> version;
  if (!until) {
    auto v = cache_version(id);
    if (!v) return v.error();
    version = *v;
  }
  if (version)
    if (auto cached = cache_->peek(id, *version); cached && cached->domain() == domain()) return cached;
  auto tracker = load(id, until);
  if (!tracker) return tracker.error();
  if (*tracker && !(*tracker)->events().empty()) {
    std::shared_ptr<Tracker> loaded(std::move(*tracker));
    // Kept for the next request; tagged with the version read before the load, so a write that
    // landed in between makes it stale rather than wrong.
    if (version) cache_->put(id, {loaded, std::make_shared<dialogue::PredictionMemory>(), *version});
    return TrackerRef(std::move(loaded));
  }
  auto fresh = std::make_shared<Tracker>(id, domain());
  for (const auto& e : session_start_events())
    if (auto err = fresh->update(e)) return *err;
  return TrackerRef(std::move(fresh));
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

std::optional<Error> Conversations::commit(const std::string& id, Working& w) {
  const Tracker& tracker = *w.tracker;
  PendingWrite mine;
  mine.request.sender_id = id;
  mine.request.events.assign(tracker.events().begin() + static_cast<std::ptrdiff_t>(w.before), tracker.events().end());
  // New events become text here, outside the store's lock: the row's json.dumps text and the
  // broker bodies are restyled from it, and the cached conversation holds text, as a reload
  // would (a tenth of the DOM's memory).
  for (const auto& e : mine.request.events) e->keep_as_text();
  mine.request.outbox = outbox_for(id, mine.request.events);
  // Group commit: a writer that finds no commit running leads: it writes every queued request in
  // one store transaction, wakes each of them alone, and hands the lead to the first request that
  // queued meanwhile. Each returns only once its own events are stored.
  {
    std::unique_lock<std::mutex> lock(commit_mutex_);
    commit_queue_.push_back(&mine);
    if (committing_) mine.wake.wait(lock, [&] { return mine.done || mine.lead; });
    if (!mine.done) {
      committing_ = true;
      std::vector<PendingWrite*> batch;
      batch.swap(commit_queue_);
      lock.unlock();
      write_group(batch);
      lock.lock();
      // Notified under the lock: a waiter cannot return (and free its PendingWrite) before.
      for (PendingWrite* p : batch) {
        p->done = true;
        if (p != &mine) p->wake.notify_one();
      }
      if (commit_queue_.empty()) {
        committing_ = false;
      } else {
        commit_queue_.front()->lead = true;
        commit_queue_.front()->wake.notify_one();
      }
    }
  }
  if (mine.result) return mine.result;
  if (!mine.request.outbox.empty()) announce();
  // A new session makes the stored conversation (its last session) shorter than the tracker in
  // hand: the next request loads it instead.
  const bool new_session = std::any_of(mine.request.events.begin(), mine.request.events.end(),
                                       [](const EventPtr& e) { return e->type == EventType::SessionStarted; });
  if (mine.version && !new_session) {
    cache_->put(id, {w.tracker, w.memory, *mine.version});
  }
  return std::nullopt;
}

void Conversations::write_group(const std::vector<PendingWrite*>& batch) {
  std::lock_guard<std::mutex> guard(store_mutex_);
  std::vector<AppendRequest> requests;
  requests.reserve(batch.size());
  for (PendingWrite* p : batch) requests.push_back(p->request);
  std::optional<Error> failed = store_->append_many(requests);
  if (failed && batch.size() > 1) {
    // One request's failure must not fail the others: each on its own.
    for (PendingWrite* p : batch) p->result = store_->append(p->request.sender_id, p->request.events, p->request.outbox);
  } else {
    for (PendingWrite* p : batch) p->result = failed;
  }
  if (!cache_) return;
  for (PendingWrite* p : batch) {
    if (p->result) continue;
    auto v = store_->version(p->request.sender_id);
    if (v) p->version = *v;
  }
}

Result<Conversations::TrackerRef> Conversations::append(const std::string& id, const Json& events) {
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

Result<Conversations::TrackerRef> Conversations::append_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                                               const std::function<std::string(std::size_t)>& label,
                                                               SessionStart rule) {
  ConversationLock lock(locks_, id);
  auto working = checkout(id);
  if (!working) return working.error();
  Tracker* tracker = working->tracker.get();
  if (rule == SessionStart::IfNew && working->before == 0 && !begins_with_session_start(events)) {
    for (const auto& e : session_start_events())
      if (auto err = tracker->update(e)) return *err;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    // Auto-fill may log slot events after the event; they are new events too.
    if (auto err = tracker->update_with_autofill(events[i], ctx_.now())) return runtime_error(label(i) + ": " + err->message);
  }
  if (auto err = commit(id, *working)) return *err;
  return TrackerRef(working->tracker);
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

Result<Conversations::Working> Conversations::start_turn(const std::string& id, const Json& metadata) {
  auto working = checkout(id);
  if (!working) return working.error();
  if (auto err = start_session_if_needed(*working->tracker, metadata)) return *err;
  return working;
}

Result<Conversations::TrackerRef> Conversations::log_message(const std::string& id, const std::string& text,
                                                             const Json& parse_data) {
  ConversationLock lock(locks_, id);
  auto started = start_turn(id, Json());
  if (!started) return started.error();
  Tracker* tracker = started->tracker.get();
  Json event = {{"event", "user"},
                {"timestamp", ctx_.now()},
                {"text", text},
                {"parse_data", parse_data},
                {"input_channel", nullptr},
                {"message_id", [&] { std::string hex = ctx_.new_uuid(); hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end()); return hex; }()}};
  auto user = parse_event(event, ctx_);
  if (!user) return runtime_error("the message cannot be logged: " + user.error().message);
  if (auto err = tracker->update_with_autofill(*user, ctx_.now())) return *err;
  if (auto err = commit(id, *started)) return *err;
  return TrackerRef(started->tracker);
}

Result<Conversations::TrackerRef> Conversations::replace(const std::string& id, const Json& events) {
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

Result<Conversations::TrackerRef> Conversations::replace_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                                                const std::function<std::string(std::size_t)>& label) {
  auto tracker = std::make_shared<Tracker>(id, domain());
  for (std::size_t i = 0; i < events.size(); ++i)
    if (auto err = tracker->update(events[i])) return runtime_error(label(i) + ": " + err->message);
  ConversationLock lock(locks_, id);
  if (cache_) cache_->erase(id);  // the stored conversation is about to be another one
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
  return TrackerRef(std::move(tracker));
}

}  // namespace convo
