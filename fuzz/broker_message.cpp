// A broker message body as the consumers classify it; a message taken as an event must publish
// back to a body that classifies to the same conversation and an equal event.
#include "convo/core/broker_message.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ParseContext ctx = fuzz::fixed_context();
  ClassifiedMessage message = classify_message(std::string(fuzz::as_text(data, size)), ctx);
  if (!message.ok) {
    fuzz::require(!message.reason.empty(), "a refused message says why");
    return 0;
  }
  fuzz::require(message.event != nullptr, "an accepted message has an event");
  ClassifiedMessage again = classify_message(broker_body(message.sender_id, *message.event), ctx);
  fuzz::require(again.ok && again.sender_id == message.sender_id, "a published body classifies again");
  fuzz::require(events_equal(*again.event, *message.event), "publishing keeps the event");
  return 0;
}
