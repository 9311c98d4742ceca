// The AMQP consumer of `convo consume-amqp` (brokers spec §12): one queue, manual acks after the
// store committed, prefetch-limited.
//
// Channel 1 carries the consumer; channel 2 only asks how many messages are ready (a passive
// queue.declare), so that RPC never interleaves with deliveries on channel 1 (rabbitmq-c keeps
// the deliveries that arrive meanwhile and hands them out afterwards).
//
// Heartbeats: as the publisher (amqp_broker.cpp) — none unless configured; when configured,
// rabbitmq-c answers them while poll() waits for deliveries.
//
// Delivery tags are per connection: after a reconnect the broker redelivers everything that was
// not acked, with new tags. A generation counter, bumped on every connect, keeps acknowledge()
// from acking a batch of an earlier connection (its messages come back; the sink dedupes them).
// Acknowledge a batch before polling the next one.
#include <chrono>

#include "amqp_internal.hpp"

namespace convo {
namespace {

using Clock = std::chrono::steady_clock;

// Once messages flow, a batch ends when the next one takes longer than this.
constexpr std::chrono::milliseconds kBatchGap{50};

class AmqpSource final : public MessageSource {
 public:
  explicit AmqpSource(AmqpSourceSettings settings) : s_(std::move(settings)) {}

  std::string describe() const override {
    return amqp_detail::address_text(s_.address) + " (queue " + s_.queue + ")";
  }

  Result<SourceBatch> poll(std::size_t max, std::chrono::milliseconds wait) override {
    if (auto err = ensure_connected()) return *err;
    SourceBatch batch;
    auto deadline = Clock::now() + wait;
    bool first = true;
    while (batch.messages.size() < max) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
      if (!batch.messages.empty()) left = std::min<std::chrono::microseconds>(left, kBatchGap);
      if (left.count() < 0) left = std::chrono::microseconds(0);
      if (left.count() == 0 && !first) break;
      first = false;
      auto got = receive(left, batch);
      if (!got) return got.error();
      if (!*got) break;  // nothing within the time left
    }
    auto ready = conn_.ready_count(2, s_.queue);
    if (!ready) return ready.error();
    batch.lag = *ready;
    batch.end_of_stream = batch.messages.empty() && *ready == 0;
    if (!batch.messages.empty()) batch_generation_ = generation_;
    return batch;
  }

  std::optional<Error> acknowledge(const SourceBatch& batch) override {
    if (batch.messages.empty()) return std::nullopt;
    std::uint64_t tag = batch.messages.back().delivery_tag;
    // A batch of an earlier connection: the broker has already put its messages back.
    if (!conn_.is_open() || batch_generation_ != generation_ || tag > delivered_upto_) return std::nullopt;
    int status = amqp_basic_ack(conn_.state(), 1, tag, /*multiple=*/1);
    if (status != AMQP_STATUS_OK) return conn_.fail_status(status, "ack");
    return std::nullopt;
  }

 private:
  std::optional<Error> ensure_connected() {
    if (conn_.is_open()) return std::nullopt;
    ++generation_;
    delivered_upto_ = 0;
    if (auto err = conn_.open(s_.address)) return err;
    if (auto err = conn_.declare_queue(1, s_.queue)) return err;
    if (!s_.exchange.empty()) {
      if (auto err = conn_.declare_exchange(1, s_.exchange)) return err;
      if (auto err = conn_.bind_queue(1, s_.queue, s_.exchange)) return err;
    }
    if (auto err = conn_.open_channel(2)) return err;
    amqp_basic_qos(conn_.state(), 1, 0, s_.prefetch, 0);
    if (auto err = conn_.check_reply("set prefetch")) return err;
    amqp_basic_consume(conn_.state(), 1, amqp_detail::bytes_of(s_.queue), amqp_empty_bytes, /*no_local=*/0,
                       /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
    return conn_.check_reply("consume queue '" + s_.queue + "'");
  }

  // Waits up to `timeout` for one delivery and appends it; false when none came.
  Result<bool> receive(std::chrono::microseconds timeout, SourceBatch& batch) {
    amqp_maybe_release_buffers(conn_.state());
    timeval tv{static_cast<time_t>(timeout.count() / 1000000), static_cast<suseconds_t>(timeout.count() % 1000000)};
    amqp_envelope_t envelope;
    amqp_rpc_reply_t reply = amqp_consume_message(conn_.state(), &envelope, &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      InboundMessage m;
      m.body.assign(static_cast<const char*>(envelope.message.body.bytes), envelope.message.body.len);
      if (envelope.message.properties._flags & AMQP_BASIC_HEADERS_FLAG)
        m.headers = amqp_detail::headers_of(envelope.message.properties.headers);
      m.source = "amqp:" + s_.queue;
      m.delivery_tag = envelope.delivery_tag;
      m.redelivered = envelope.redelivered != 0;
      delivered_upto_ = std::max(delivered_upto_, m.delivery_tag);
      amqp_destroy_envelope(&envelope);
      batch.messages.push_back(std::move(m));
      return true;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT)
      return false;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // Something other than a delivery: a close, a cancel (queue deleted), or noise to skip.
      amqp_frame_t frame;
      int status = amqp_simple_wait_frame(conn_.state(), &frame);
      if (status != AMQP_STATUS_OK) return conn_.fail_status(status, "read");
      if (frame.frame_type == AMQP_FRAME_METHOD) {
        amqp_method_number_t id = frame.payload.method.id;
        if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) return conn_.fail_close(frame);
        if (id == AMQP_BASIC_CANCEL_METHOD) {
          conn_.close();
          return Error{ErrorKind::Upstream, describe() + ": the broker cancelled the consumer (queue deleted?)"};
        }
      }
      return true;  // nothing appended; the caller goes on waiting
    }
    if (auto err = conn_.check_reply(reply, "receive")) return *err;
    return false;
  }

  AmqpSourceSettings s_;
  amqp_detail::Connection conn_;
  std::uint64_t generation_ = 0;        // bumped by every (re)connect
  std::uint64_t batch_generation_ = 0;  // the connection the last non-empty batch came from
  std::uint64_t delivered_upto_ = 0;    // highest delivery tag received on this connection
};

}  // namespace

std::unique_ptr<MessageSource> make_amqp_source(AmqpSourceSettings settings) {
  return std::make_unique<AmqpSource>(std::move(settings));
}

}  // namespace convo
