// Tracker stores: where conversations live. One interface; SQLite (default, Rasa's SQL schema),
// PostgreSQL (same schema) and memory. Spec: shared/spec/brokers-and-stores.md §8–9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/event.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/json.hpp"

namespace convo {

// Which rows to read for one conversation. Time bounds are inclusive and evaluated by the store
// (in SQL), not after loading everything.
struct LoadOptions {
  bool all_sessions = false;     // default: the last session, from the last session_started on
  std::optional<double> since;   // timestamp >= since
  std::optional<double> until;   // timestamp <= until
  std::optional<double> before;  // timestamp < before (`rasa export`'s maximum)
  // When given, a store may decode the rows as it reads them (StoredConversation::decoded): the
  // pass that restyles a row also outlines it, and the decoder takes that outline.
  const ParseContext* decode = nullptr;
};

struct StoredConversation {
  std::string sender_id;
  EventTexts events;                  // event objects' JSON texts in insertion order, as stored
                                      // (compact when they were canonical); each is an object
  std::vector<std::string> warnings;  // rows that could not be read ("row 17: data is not JSON")
  std::optional<ParsedEvents> decoded;  // instead of `events` (then empty), see LoadOptions::decode
  std::size_t size() const { return decoded ? decoded->items : events.items.size(); }
};

struct ConversationSummary {
  std::string sender_id;
  std::size_t events = 0;
  Json first_event_time;  // number or null
  Json last_event_time;
};

struct ListOptions {
  std::optional<double> since;  // only conversations with events in [since, until]; counts and
  std::optional<double> until;  // times are those of the events in the window
};

// A broker message waiting in the store's outbox (convo_outbox): enqueued in the same
// transaction as the events it carries, removed once the broker confirmed it.
struct OutboxMessage {
  std::int64_t id = 0;     // increasing in enqueue order
  std::string sender_id;
  std::string body;
};

// One conversation's new events and the outbox bodies that announce them (append_many).
struct AppendRequest {
  std::string sender_id;
  std::vector<EventPtr> events;
  std::vector<std::string> outbox;
};

class TrackerStore {
 public:
  virtual ~TrackerStore() = default;

  // The store's URL with any password masked, for messages.
  virtual std::string describe() const = 0;

  // Events of a conversation; nullopt when the store holds no event of it (Rasa's "no tracker").
  virtual Result<std::optional<StoredConversation>> load(const std::string& sender_id,
                                                         const LoadOptions& options) = 0;

  // Appends events after those stored, in one transaction: all of them or none. Concurrent
  // appends to one conversation interleave whole batches and lose nothing. `outbox` bodies are
  // enqueued in the same transaction (the durable outbox: stored events and the messages that
  // announce them commit together).
  std::optional<Error> append(const std::string& sender_id, const std::vector<EventPtr>& events,
                              const std::vector<std::string>& outbox = {}) {
    return write(sender_id, events, outbox, false);
  }

  // Replaces the conversation's events with these, in one transaction (outbox as append).
  std::optional<Error> replace(const std::string& sender_id, const std::vector<EventPtr>& events,
                               const std::vector<std::string>& outbox = {}) {
    return write(sender_id, events, outbox, true);
  }

  // Appends for several conversations at once (a server's concurrent turns, committed as a group):
  // SQLite writes them in one transaction, all or none; other stores append each in turn and stop
  // at the first failure.
  virtual std::optional<Error> append_many(const std::vector<AppendRequest>& batch) {
    for (const auto& r : batch)
      if (auto err = append(r.sender_id, r.events, r.outbox)) return err;
    return std::nullopt;
  }

  // The oldest `limit` outbox messages, in enqueue order.
  virtual Result<std::vector<OutboxMessage>> outbox_peek(std::size_t limit) = 0;
  // Removes the outbox messages with id <= up_to_id (the broker confirmed them).
  virtual std::optional<Error> outbox_remove(std::int64_t up_to_id) = 0;
  // How many messages wait in the outbox.
  virtual Result<std::size_t> outbox_depth() = 0;

  // Conversation ids with event counts and first/last event times, ordered by id.
  virtual Result<std::vector<ConversationSummary>> list(const ListOptions& options) = 0;

  // A number that changes whenever the conversation's stored events change (the id of its last
  // row; 0 when none): what a cache of the conversation compares. nullopt when the store cannot
  // tell cheaply (a server): nothing is cached then.
  virtual Result<std::optional<std::int64_t>> version(const std::string& sender_id) {
    (void)sender_id;
    return std::optional<std::int64_t>();
  }

  // A server reached over Rasa's HTTP API (open_remote_store) rather than a database: it runs its
  // own pipeline (session starts, auto-fill, its event broker), so writes go to it unchanged, and
  // list() gives ids only (counts 0, times null).
  virtual bool is_server() const { return false; }
  // The tracker JSON as the store itself answers it (a server's GET …/tracker, for its domain);
  // nullopt when the caller is to build it from load()'s events (every database store).
  virtual Result<std::optional<std::string>> tracker_json(const std::string& sender_id, std::string_view verbosity,
                                                          std::optional<double> until) {
    (void)sender_id, (void)verbosity, (void)until;
    return std::optional<std::string>();
  }

 protected:
  // append (replace_existing false) and replace: one transaction holding the events and the
  // outbox bodies; with replace_existing the conversation's stored events go first.
  virtual std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                                     const std::vector<std::string>& outbox, bool replace_existing) = 0;
};

enum class StoreAccess {
  ReadOnly,   // never creates or changes anything; a missing database is a NotFound error
  ReadWrite,  // creates the database and Rasa's schema when missing
};

// Opens a store by URL: sqlite:///relative.db, sqlite:////abs/path.db, a plain file path,
// postgresql://user:pw@host:port/db, memory: (a fresh in-process store).
Result<std::unique_ptr<TrackerStore>> open_store(const std::string& url, StoreAccess access);

// The store commands use when none is named: $CONVO_STORE, else sqlite:///rasa.db.
std::string default_store_url();

// How to reach a server as a store (--url, --token, --jwt, --timeout).
struct RemoteStoreOptions {
  std::string url;
  std::optional<std::string> token, jwt;
  double timeout_s = 30;
};
// A Rasa or convo server as a TrackerStore over Rasa's HTTP API: load = GET …/tracker (the last
// session; all_sessions and time windows are Usage errors), append = POST …/tracker/events,
// replace = PUT, list = GET /conversations, no outbox. HTTP failures map to error kinds as the
// client does (error_from_response).
std::unique_ptr<TrackerStore> open_remote_store(const RemoteStoreOptions& options);

// The row columns Rasa derives from an event (§8.5): type_name, intent_name, action_name.
struct EventRow {
  std::string type_name;
  Json timestamp;       // number, or null when the event's timestamp is not a number
  Json intent_name;     // string or null
  Json action_name;     // string or null
  std::string data;     // the event JSON as Python's json.dumps writes it
};
EventRow event_row(const Event& event);
// The same with the event's json.dumps text already at hand (`python_text`: see ClassifiedMessage).
EventRow event_row(const Event& event, std::string python_text);

// Checks a stored `data` column holds an event object and gives its text (compact when it is in
// canonical form, else as stored); errors say what is wrong with the text.
// With it, whether the text was restyled strictly into `outline` (EventDecoder's decode_restyled
// takes both); else it is the row's own text, which the decoder checks itself.
Result<std::string> row_event_text(std::string_view data, JsonOutline& outline, bool& outlined);

}  // namespace convo
