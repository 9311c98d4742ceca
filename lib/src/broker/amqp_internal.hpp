// What the AMQP broker and source share: one rabbitmq-c connection (TCP or TLS, login, channels,
// Rasa's declarations) and AMQP table conversion. Defined in amqp_broker.cpp.
#pragma once

#include "amqp_api.hpp"

#include <optional>
#include <string>
#include <vector>

#include "convo/broker/amqp.hpp"

namespace convo::amqp_detail {

// "amqp://guest@127.0.0.1:5672/" (never the password); "amqps://…" with TLS.
std::string address_text(const AmqpAddress& a);

// A connection in state "open" or "closed". Every failure closes it and comes back as an
// Upstream error (Auth when the broker refused the login) naming the address and the step.
class Connection {
 public:
  Connection() = default;
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Socket, login and channel 1. `heartbeat` seconds are proposed to the broker (0 = none).
  std::optional<Error> open(const AmqpAddress& address);
  void close();
  bool is_open() const { return state_ != nullptr; }
  amqp_connection_state_t state() const { return state_; }

  std::optional<Error> open_channel(amqp_channel_t channel);
  // Exactly Rasa's flags (spec §4.3): the exchange fanout, non-durable, not auto-delete; queues
  // durable, not exclusive, not auto-delete, no arguments; bindings with routing key "".
  std::optional<Error> declare_exchange(amqp_channel_t channel, const std::string& exchange);
  std::optional<Error> declare_queue(amqp_channel_t channel, const std::string& queue);
  std::optional<Error> bind_queue(amqp_channel_t channel, const std::string& queue, const std::string& exchange);
  // Messages ready in `queue` (passive declare).
  Result<std::uint32_t> ready_count(amqp_channel_t channel, const std::string& queue);

  // The error for the reply of the last synchronous call; nullopt when it succeeded. Closes the
  // connection on failure.
  std::optional<Error> check_reply(const std::string& step);
  std::optional<Error> check_reply(const amqp_rpc_reply_t& reply, const std::string& step);
  // The error for a rabbitmq-c status code (<0). Closes the connection.
  Error fail_status(int status, const std::string& step);
  // The error for a close method the broker sent unasked (channel.close / connection.close).
  Error fail_close(const amqp_frame_t& frame);

 private:
  Error fail(ErrorKind kind, const std::string& message);

  amqp_connection_state_t state_ = nullptr;
  std::string where_;  // address_text() of the open connection
};

// An AMQP field table made of long strings; `entries` owns nothing, the headers must outlive it.
amqp_table_t string_table(const std::vector<Header>& headers, std::vector<amqp_table_entry_t>& entries);

// A received table as text headers: strings as they are, other values as their JSON text.
std::vector<Header> headers_of(const amqp_table_t& table);

inline amqp_bytes_t bytes_of(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

}  // namespace convo::amqp_detail
