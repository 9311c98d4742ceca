// The broker message format both ways: the body Rasa publishes for one event (brokers spec §2),
// and what a consumer makes of a message it received (§12). Pure data, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/event.hpp"
#include "convo/core/event_decode.hpp"

namespace convo {

enum class BodyOrder {
  Live,    // {"sender_id": …, "event": …}: what a tracker-store save publishes
  Export,  // {"event": …, "sender_id": …}: what `rasa export` publishes (sender_id last)
};

// One event as Rasa's broker body: the event's JSON plus sender_id, written as Python's
// json.dumps writes it (", "/": " separators, ASCII escapes, Python float repr).
std::string broker_body(const std::string& sender_id, const Event& event, BodyOrder order = BodyOrder::Live);
// The same from the event's json.dumps text (Event::python_text(), or a ClassifiedMessage's
// python_event).
std::string broker_body(const std::string& sender_id, std::string python_event, BodyOrder order = BodyOrder::Live);

// broker_body for each event, Live order: what a write enqueues in the store's outbox.
std::vector<std::string> broker_bodies(const std::string& sender_id, const std::vector<EventPtr>& events);

// An AMQP field table entry or a Kafka header.
using Header = std::pair<std::string, std::string>;

// The header `rasa export` puts on every RabbitMQ message of one run (32 lowercase hex chars).
inline constexpr const char* kExportHeader = "rasa-export-process-id";

// A message as a consumer received it, with where it came from.
struct InboundMessage {
  std::string body;                  // the raw bytes
  std::vector<Header> headers;       // AMQP headers table / Kafka headers (string values)
  std::string source;                // "kafka:<topic>" or "amqp:<queue>", for the dead-letter table
  std::string topic;                 // Kafka: topic, partition and offset of the message
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::uint64_t delivery_tag = 0;    // AMQP: the channel's delivery tag
  bool redelivered = false;          // AMQP: the broker's redelivered flag
};

// What a consumer makes of one message body: an event of a conversation, or why not.
struct ClassifiedMessage {
  bool ok = false;
  std::string sender_id;
  EventPtr event;          // parsed with Rasa's rules (the same codec as every other input)
  // The event's json.dumps text (its python_text()) when the body already held it (Rasa's own
  // bodies: canonical json.dumps form): cut out of the body, not rewritten. Else empty.
  std::string python_event;
  // The body is already the live broker body of that text (sender_id first, canonical json.dumps
  // form: Rasa's own bodies), so broker_body(sender_id, python_event, BodyOrder::Live) == body.
  bool body_is_live = false;
  std::string reason;      // when !ok: "not JSON: …", "no sender_id", "invalid event: …"
};
ClassifiedMessage classify_message(const std::string& body, const ParseContext& ctx);
// The same with a decoder kept across messages (a consumer's: it learns each event shape once).
ClassifiedMessage classify_message(const std::string& body, EventDecoder& decoder);

// The export id header of a message, or "" when it has none.
std::string export_id_of(const InboundMessage& message);

}  // namespace convo
