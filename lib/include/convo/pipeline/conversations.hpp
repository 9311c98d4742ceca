// The one path every event takes into a conversation: parse -> tracker -> store, under a
// per-conversation lock (Rasa's in-process lock store). The server's routes, the CLI's writes
// (tracker put|load, events push) and the dialogue turns all write through it; a Pipeline
// (pipeline.hpp) adds the event broker. The session-start rule is the same for every source:
// a write that continues a conversation as it happens (POST …/tracker/events, events push,
// messages) begins a conversation with no stored events with Rasa's session start, unless the
// events begin with one; a write that restores a conversation (PUT, tracker put, tracker load)
// stores exactly the events given.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "convo/core/domain.hpp"
#include "convo/core/tracker.hpp"
#include "convo/dialogue/processor.hpp"
#include "convo/dialogue/understanding.hpp"
#include "convo/pipeline/reminders.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo {

// How many events the store holds for the conversation's last session: what Rasa's save counts
// as already published (§3), so a replacing write announces only the events beyond it.
Result<std::size_t> stored_event_count(TrackerStore& store, const std::string& id);

class TrackerCache;

class Conversations {
 public:
  // What a request gets back: the conversation's tracker after it, shared with the cache of
  // conversations kept in memory (never changed once handed out: the next writer copies it).
  using TrackerRef = std::shared_ptr<const Tracker>;

  Conversations(std::shared_ptr<TrackerStore> store, std::shared_ptr<const Domain> domain,
                ParseContext ctx = system_parse_context());

  // The stored conversation's last session as a tracker; nullptr when nothing is stored. With
  // `until`, only events up to that time (Rasa's travel_back_in_time).
  Result<std::unique_ptr<Tracker>> load(const std::string& id, std::optional<double> until = std::nullopt,
                                        bool all_sessions = false);

  // GET …/tracker: the stored tracker, or, for a conversation with no events, a fresh one with a
  // session start applied in memory (not saved).
  Result<TrackerRef> get(const std::string& id, std::optional<double> until);

  // POST …/tracker/events: appends the events (a session start first when nothing is stored,
  // unless the events begin with one), with the domain's entity auto-fill, stores exactly the new
  // events, returns the tracker. Parse and apply failures are Runtime errors naming the item.
  Result<TrackerRef> append(const std::string& id, const Json& events);

  // POST …/messages: a user event for `text` (parse_data given, or Rasa's regex interpreter), after
  // a session start when the conversation has none or its session expired; nothing is predicted.
  Result<TrackerRef> log_message(const std::string& id, const std::string& text, const Json& parse_data);

  // PUT …/tracker/events: a tracker built from exactly these events replaces the stored one.
  Result<TrackerRef> replace(const std::string& id, const Json& events);

  // The same writes with events already parsed (the CLI's). With a store that is a server
  // (TrackerStore::is_server) the events go to it unchanged: the server applies the rules.
  enum class SessionStart { IfNew, Never };  // continue (IfNew) or restore (Never) a conversation
  std::optional<Error> append(const std::string& id, const std::vector<EventPtr>& events,
                              SessionStart rule = SessionStart::IfNew);
  std::optional<Error> replace(const std::string& id, const std::vector<EventPtr>& events);

  // Runs `f(store)` under the store mutex (stores are used by one thread at a time).
  template <class F>
  auto with_store(F&& f) {
    std::lock_guard<std::mutex> guard(store_mutex_);
    return f(*store_);
  }

  // With a listener, every write also enqueues the new events' broker bodies in the store's
  // outbox (same transaction) and then calls the listener (the Publisher). Null: no outbox.
  void set_outbox_listener(std::function<void()> listener);
  // The domain requests use now; set_domain swaps it (a model loaded or unloaded): requests in
  // flight keep the one they started with.
  std::shared_ptr<const Domain> domain() const { return std::atomic_load(&domain_); }
  void set_domain(std::shared_ptr<const Domain> domain) { std::atomic_store(&domain_, std::move(domain)); }

  // The bot that answers messages (a model's rules, stories and responses); null: messages are
  // logged and nothing is predicted, as Rasa without a model. Swapped like the domain.
  std::shared_ptr<const dialogue::Bot> bot() const { return std::atomic_load(&bot_); }
  void set_bot(std::shared_ptr<const dialogue::Bot> bot) { std::atomic_store(&bot_, std::move(bot)); }
  // The model's NLU (convo's classifier); null: texts go to the regex interpreter. Swapped like the bot.
  std::shared_ptr<const nlu::NluModel> nlu() const { return std::atomic_load(&nlu_); }
  void set_nlu(std::shared_ptr<const nlu::NluModel> nlu) { std::atomic_store(&nlu_, std::move(nlu)); }
  // A text as Rasa's processor parses it (dialogue::parse_message): "/" texts by the regex
  // interpreter, others by the nlu: endpoint when configured, else the model's NLU, else regex.
  Json parse_text(const std::string& text, const std::string& message_id) const;
  void set_action_endpoint(std::optional<dialogue::ActionEndpoint> endpoint) { action_endpoint_ = std::move(endpoint); }
  void set_nlu_endpoint(std::optional<dialogue::NluEndpoint> endpoint) { nlu_endpoint_ = std::move(endpoint); }
  void set_nlg_endpoint(std::optional<dialogue::NlgEndpoint> endpoint) { nlg_endpoint_ = std::move(endpoint); }
  // Where the processor's log lines go (Rasa's logger): (problem, line).
  void set_log(std::function<void(bool, const std::string&)> log) { log_ = std::move(log); }

  // A message on an input channel (processor.handle_message): the session check, the user event
  // (parse_data given, else Rasa's regex interpreter), the bot's actions until it listens; bot
  // messages go to `output` as they are logged. The turn is stored when it completes.
  struct Message {
    std::string sender_id;
    std::string text;
    Json parse_data;            // null: parse `text`
    std::string input_channel;  // "" -> null
    bool latest_input_channel = false;  // external messages: the conversation's latest input channel
    Json metadata;              // stored on the user event when given
  };
  Result<TrackerRef> handle_message(const Message& message, dialogue::OutputChannel& output);

  // POST …/execute and …/trigger_intent: one action (or a user intent) and then the loop.
  Result<TrackerRef> execute(const std::string& id, const std::string& action, const Json& policy,
                             const Json& confidence, dialogue::OutputChannel& output);
  Result<TrackerRef> trigger_intent(const std::string& id, const std::string& intent, const Json& entities,
                                    dialogue::OutputChannel& output);
  // Runs reminders: scheduling those the actions set, firing them when due (ReminderScheduler).
  void enable_reminders();
  // A due reminder (the scheduler calls it): the external intent and the turn, unless the user
  // wrote after it was set (kill_on_user_msg) or it is no longer applied. The bot messages go to
  // `push`, the channel the reminder was set on when it can push (callback), else are dropped,
  // as Rasa's collecting channels drop them.
  void fire_reminder(const std::string& id, const Json& reminder, const ReminderScheduler::Push& push = nullptr);
  std::size_t pending_reminders() const;

  // POST …/predict: the scores of the next action, nothing stored.
  Result<Json> predict(const std::string& id);

  // Rasa's session start (§10.3) for a conversation with no events: action_session_start,
  // session_started, action_listen, stamped now.
  std::vector<EventPtr> session_start_events() const;

  // Rasa's session check (§10.2): no applied events, or the last applied user message is older
  // than the domain's session_expiration_time (minutes; 60 without a domain).
  bool needs_session_start(const Tracker& tracker) const;

  // Conversations kept in memory between requests (tracker_cache.hpp), at most `events` events
  // in all (0: none kept). Each request still asks the store for the conversation's version, so
  // writes by anyone else (another process, another server on the same database) are seen.
  void set_cache_limit(std::size_t events);
  ~Conversations();

 private:
  // Serialises writers of one conversation; different conversations proceed in parallel.
  class LockTable {
   public:
    std::shared_ptr<std::mutex> acquire(const std::string& id);
    void release(const std::string& id, std::shared_ptr<std::mutex>& held);

   private:
    std::mutex guard_;
    std::map<std::string, std::weak_ptr<std::mutex>> locks_;
  };

  // A conversation being written (its lock held): the tracker, this writer's own, and the
  // prediction memory that goes with it; how many events it held when taken.
  struct Working {
    std::shared_ptr<Tracker> tracker;
    std::shared_ptr<dialogue::PredictionMemory> memory;
    std::size_t before = 0;
  };
  // The conversation as stored: from the cache when it holds the store's version, else loaded
  // (a new tracker when nothing is stored).
  Result<Working> checkout(const std::string& id);
  // Stores the events the writer added (from `before` on) and keeps the tracker in the cache.
  std::optional<Error> commit(const std::string& id, Working& working);
  // A writer's request waiting for the group commit, and what became of it.
  struct PendingWrite {
    AppendRequest request;
    std::optional<Error> result;
    std::optional<std::int64_t> version;
    bool done = false;  // stored (or failed): result says which
    bool lead = false;  // handed the next group to write
    std::condition_variable wake;  // each waiter is woken alone: no thundering herd
  };
  void write_group(const std::vector<PendingWrite*>& batch);
  std::mutex commit_mutex_;
  std::vector<PendingWrite*> commit_queue_;
  bool committing_ = false;
  // The store's version of the conversation, when it has one and a cache is kept.
  Result<std::optional<std::int64_t>> cache_version(const std::string& id);
  // append and replace after parsing; `label(i)` names event i in errors.
  Result<TrackerRef> append_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                   const std::function<std::string(std::size_t)>& label, SessionStart rule);
  Result<TrackerRef> replace_parsed(const std::string& id, const std::vector<EventPtr>& events,
                                    const std::function<std::string(std::size_t)>& label);

  std::shared_ptr<TrackerStore> store_;
  std::shared_ptr<const Domain> domain_;
  ParseContext ctx_;
  // The outbox bodies for these events when publishing is on; empty otherwise.
  std::vector<std::string> outbox_for(const std::string& id, const std::vector<EventPtr>& events) const;
  void announce() const;

  dialogue::TurnContext turn_context(dialogue::OutputChannel& output) const;
  // handle_message under the conversation's lock, on a loaded tracker.
  Result<TrackerRef> turn_locked(Working working, const Message& m, dialogue::OutputChannel& output);
  void apply_side_effects(const std::string& id, const dialogue::TurnContext& turn);
  std::shared_ptr<ReminderScheduler> reminders_;
  // Starts a session (action_session_start, its events) on `tracker` when Rasa would.
  std::optional<Error> start_session_if_needed(Tracker& tracker, const Json& metadata);
  // A turn's start (the conversation's lock held by the caller): the stored conversation or a new
  // one, how many events it held, and the session check done.
  Result<Working> start_turn(const std::string& id, const Json& metadata);

  std::shared_ptr<const dialogue::Bot> bot_;
  std::shared_ptr<const nlu::NluModel> nlu_;
  std::optional<dialogue::ActionEndpoint> action_endpoint_;
  std::optional<dialogue::NluEndpoint> nlu_endpoint_;
  std::optional<dialogue::NlgEndpoint> nlg_endpoint_;
  std::function<void(bool, const std::string&)> log_;
  std::mutex store_mutex_;  // stores are used from one thread at a time
  mutable std::mutex listener_mutex_;
  std::function<void()> outbox_listener_;
  LockTable locks_;
  std::unique_ptr<TrackerCache> cache_;
};

}  // namespace convo
