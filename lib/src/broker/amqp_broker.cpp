// RabbitMQ publisher (brokers spec §4) over rabbitmq-c, and the connection code it shares with
// the AMQP source (amqp_internal.hpp).
//
// Heartbeats: none unless configured (`heartbeat:` key or `?heartbeat=` in the URL): convo proposes
// 0, which RabbitMQ accepts, so an idle publisher is never dropped for missing heartbeats. When a
// heartbeat is configured, rabbitmq-c answers it whenever we read frames; before each batch the
// publisher reads what is pending, so a connection the broker closed meanwhile is reopened.

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "amqp_internal.hpp"

namespace convo {
namespace amqp_detail {

std::string address_text(const AmqpAddress& a) {
  std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  return std::string(a.tls ? "amqps://" : "amqp://") + a.username + "@" + host + ":" + std::to_string(a.port) +
         "/" + (a.vhost == "/" ? "" : a.vhost);
}

namespace {

// OpenSSL's SSL_CERT_FILE, else the distribution's bundle (Debian, then Fedora's path).
std::string system_ca_bundle() {
  if (const char* env = std::getenv("SSL_CERT_FILE")) return env;
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"})
    if (access(path, R_OK) == 0) return path;
  return "";
}

}  // namespace

Error Connection::fail(ErrorKind kind, const std::string& message) {
  // No close handshake: after an error the socket's state is unknown, so just drop it.
  if (state_) amqp_destroy_connection(state_);
  state_ = nullptr;
  return Error{kind, where_ + ": " + message};
}

void Connection::close() {
  if (!state_) return;
  timeval quick{2, 0};
  amqp_set_rpc_timeout(state_, &quick);
  amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(state_);
  state_ = nullptr;
}

std::optional<Error> Connection::open(const AmqpAddress& a) {
  close();
  where_ = address_text(a);
  state_ = amqp_new_connection();
  if (!state_) return fail(ErrorKind::Runtime, "out of memory");
  amqp_socket_t* socket = a.tls ? amqp_ssl_socket_new(state_) : amqp_tcp_socket_new(state_);
  if (!socket) return fail(ErrorKind::Runtime, "cannot create a socket");
  if (a.tls) {
    // rabbitmq-c trusts no CA by itself; like Rasa, default to the system's CA bundle.
    // A CA file the user named must load; the system's bundle is used when it loads (a machine
    // without one then fails verification, an Upstream error, like any untrusted server).
    if (!a.ca_file.empty()) {
      if (amqp_ssl_socket_set_cacert(socket, a.ca_file.c_str()) != AMQP_STATUS_OK)
        return fail(ErrorKind::Usage, "cannot read the CA file " + a.ca_file);
    } else if (a.verify_peer) {
      std::string bundle = system_ca_bundle();
      if (!bundle.empty()) (void)amqp_ssl_socket_set_cacert(socket, bundle.c_str());
    }
    if (!a.cert_file.empty()) {
      const std::string& key = a.key_file.empty() ? a.cert_file : a.key_file;
      if (amqp_ssl_socket_set_key(socket, a.cert_file.c_str(), key.c_str()) != AMQP_STATUS_OK)
        return fail(ErrorKind::Usage, "cannot read the client certificate " + a.cert_file + " / key " + key);
    }
    amqp_ssl_socket_set_verify_peer(socket, a.verify_peer ? 1 : 0);
    amqp_ssl_socket_set_verify_hostname(socket, a.verify_peer ? 1 : 0);
  }
  timeval connect_timeout{10, 0};
  int status = amqp_socket_open_noblock(socket, a.host.c_str(), a.port, &connect_timeout);
  if (status != AMQP_STATUS_OK) return fail_status(status, "connect");
  // A broker that stops answering must not hang a call forever.
  timeval rpc_timeout{30, 0};
  amqp_set_rpc_timeout(state_, &rpc_timeout);
  amqp_rpc_reply_t reply = amqp_login(state_, a.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, a.heartbeat,
                                      AMQP_SASL_METHOD_PLAIN, a.username.c_str(), a.password.c_str());
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_CONNECTION_CLOSED)
    return fail(ErrorKind::Auth, "login refused for user '" + a.username + "' (or no access to the virtual host)");
  if (auto err = check_reply(reply, "login")) return err;
  return open_channel(1);
}

std::optional<Error> Connection::open_channel(amqp_channel_t channel) {
  amqp_channel_open(state_, channel);
  return check_reply("open channel " + std::to_string(channel));
}

std::optional<Error> Connection::declare_exchange(amqp_channel_t channel, const std::string& exchange) {
  amqp_exchange_declare(state_, channel, bytes_of(exchange), amqp_cstring_bytes("fanout"), /*passive=*/0,
                        /*durable=*/0, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
  return check_reply("declare exchange '" + exchange + "'");
}

std::optional<Error> Connection::declare_queue(amqp_channel_t channel, const std::string& queue) {
  amqp_queue_declare(state_, channel, bytes_of(queue), /*passive=*/0, /*durable=*/1, /*exclusive=*/0,
                     /*auto_delete=*/0, amqp_empty_table);
  return check_reply("declare queue '" + queue + "'");
}

std::optional<Error> Connection::bind_queue(amqp_channel_t channel, const std::string& queue,
                                            const std::string& exchange) {
  amqp_queue_bind(state_, channel, bytes_of(queue), bytes_of(exchange), amqp_empty_bytes, amqp_empty_table);
  return check_reply("bind queue '" + queue + "' to exchange '" + exchange + "'");
}

Result<std::uint32_t> Connection::ready_count(amqp_channel_t channel, const std::string& queue) {
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_, channel, bytes_of(queue), /*passive=*/1, 0, 0, 0,
                                                   amqp_empty_table);
  if (auto err = check_reply("check queue '" + queue + "'")) return *err;
  return ok->message_count;
}

std::optional<Error> Connection::check_reply(const std::string& step) {
  if (!state_) return Error{ErrorKind::Upstream, where_ + ": not connected"};
  return check_reply(amqp_get_rpc_reply(state_), step);
}

std::optional<Error> Connection::check_reply(const amqp_rpc_reply_t& reply, const std::string& step) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return std::nullopt;
    case AMQP_RESPONSE_NONE:
      return fail(ErrorKind::Upstream, step + ": no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return fail_status(reply.library_error, step);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  amqp_frame_t frame{};
  frame.frame_type = AMQP_FRAME_METHOD;
  frame.payload.method = reply.reply;
  Error err = fail_close(frame);
  err.message = where_ + ": " + step + ": " + err.message.substr(where_.size() + 2);
  return err;
}

Error Connection::fail_status(int status, const std::string& step) {
  return fail(ErrorKind::Upstream, step + ": " + amqp_error_string2(status));
}

Error Connection::fail_close(const amqp_frame_t& frame) {
  const amqp_method_t& m = frame.payload.method;
  std::string text = "closed by the broker";
  int code = 0;
  if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* close = static_cast<amqp_connection_close_t*>(m.decoded);
    code = close->reply_code;
    text = "connection closed by the broker: " + std::to_string(code) + " " +
           std::string(static_cast<char*>(close->reply_text.bytes), close->reply_text.len);
  } else if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* close = static_cast<amqp_channel_close_t*>(m.decoded);
    code = close->reply_code;
    text = "channel closed by the broker: " + std::to_string(code) + " " +
           std::string(static_cast<char*>(close->reply_text.bytes), close->reply_text.len);
  }
  return fail(code == AMQP_ACCESS_REFUSED ? ErrorKind::Auth : ErrorKind::Upstream, text);
}

amqp_table_t string_table(const std::vector<Header>& headers, std::vector<amqp_table_entry_t>& entries) {
  entries.resize(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) {
    entries[i].key = bytes_of(headers[i].first);
    entries[i].value.kind = AMQP_FIELD_KIND_UTF8;  // 'S', a long string, as Rasa's client sends str
    entries[i].value.value.bytes = bytes_of(headers[i].second);
  }
  return amqp_table_t{static_cast<int>(entries.size()), entries.empty() ? nullptr : entries.data()};
}

namespace {

Json field_json(const amqp_field_value_t& f) {
  const auto& v = f.value;
  switch (f.kind) {
    case AMQP_FIELD_KIND_BOOLEAN: return v.boolean != 0;
    case AMQP_FIELD_KIND_I8: return v.i8;
    case AMQP_FIELD_KIND_U8: return v.u8;
    case AMQP_FIELD_KIND_I16: return v.i16;
    case AMQP_FIELD_KIND_U16: return v.u16;
    case AMQP_FIELD_KIND_I32: return v.i32;
    case AMQP_FIELD_KIND_U32: return v.u32;
    case AMQP_FIELD_KIND_I64: return v.i64;
    case AMQP_FIELD_KIND_U64: case AMQP_FIELD_KIND_TIMESTAMP: return v.u64;
    case AMQP_FIELD_KIND_F32: return v.f32;
    case AMQP_FIELD_KIND_F64: return v.f64;
    case AMQP_FIELD_KIND_DECIMAL: return v.decimal.value / std::pow(10.0, v.decimal.decimals);
    case AMQP_FIELD_KIND_UTF8: case AMQP_FIELD_KIND_BYTES:
      return std::string(static_cast<const char*>(v.bytes.bytes), v.bytes.len);
    case AMQP_FIELD_KIND_ARRAY: {
      Json out = Json::array();
      for (int i = 0; i < v.array.num_entries; ++i) out.push_back(field_json(v.array.entries[i]));
      return out;
    }
    case AMQP_FIELD_KIND_TABLE: {
      Json out = Json::object();
      for (int i = 0; i < v.table.num_entries; ++i) {
        const amqp_table_entry_t& e = v.table.entries[i];
        out[std::string(static_cast<const char*>(e.key.bytes), e.key.len)] = field_json(e.value);
      }
      return out;
    }
    default: return nullptr;
  }
}

}  // namespace

std::vector<Header> headers_of(const amqp_table_t& table) {
  std::vector<Header> out;
  for (int i = 0; i < table.num_entries; ++i) {
    const amqp_table_entry_t& e = table.entries[i];
    Json value = field_json(e.value);
    out.emplace_back(std::string(static_cast<const char*>(e.key.bytes), e.key.len),
                     value.is_string() ? value.get<std::string>() : dump_compact(value));
  }
  return out;
}

}  // namespace amqp_detail

namespace {

using amqp_detail::bytes_of;
using Clock = std::chrono::steady_clock;

// The publisher confirms of one batch: delivery tags first_tag .. first_tag + size - 1.
struct Confirms {
  std::uint64_t first_tag = 1;
  std::vector<char> state;   // 0 waiting, 1 acked, 2 nacked
  std::size_t acked_prefix = 0;
  std::size_t settled = 0;
  std::uint64_t multiple_done = 0;  // every tag below this was settled by a `multiple` confirm
  bool nacked = false;

  // Confirms may come in any order; wait for all of them, then count the acked prefix.
  void settle(std::uint64_t tag, bool multiple, bool ack) {
    if (tag < first_tag) return;  // from an earlier batch
    std::uint64_t from = multiple ? std::max(first_tag, multiple_done) : tag;
    for (std::uint64_t t = from; t <= tag && t - first_tag < state.size(); ++t) {
      if (state[t - first_tag] != 0) continue;
      state[t - first_tag] = ack ? 1 : 2;
      ++settled;
      nacked = nacked || !ack;
    }
    if (multiple) multiple_done = std::max(multiple_done, tag + 1);
    while (acked_prefix < state.size() && state[acked_prefix] == 1) ++acked_prefix;
  }
  bool done() const { return settled == state.size(); }
};

class AmqpBroker final : public EventBroker {
 public:
  explicit AmqpBroker(AmqpBrokerSettings settings) : s_(std::move(settings)) {}

  std::string describe() const override {
    return amqp_detail::address_text(s_.address) + " (exchange " + s_.exchange + ")";
  }

  std::optional<Error> connect() override {
    // A connection the broker closed meanwhile shows up as a pending close frame or EOF.
    if (conn_.is_open() && !read_pending(nullptr)) return std::nullopt;
    next_tag_ = 1;
    if (auto err = conn_.open(s_.address)) return err;
    amqp_confirm_select(conn_.state(), 1);
    if (auto err = conn_.check_reply("enable publisher confirms")) return err;
    if (auto err = conn_.declare_exchange(1, s_.exchange)) return err;
    for (const std::string& queue : s_.queues) {
      if (auto err = conn_.declare_queue(1, queue)) return err;
      if (auto err = conn_.bind_queue(1, queue, s_.exchange)) return err;
    }
    return std::nullopt;
  }

  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult result;
    if (batch.empty()) return result;
    if (auto err = connect()) {
      result.error = err;
      return result;
    }
    Confirms confirms;
    confirms.first_tag = next_tag_;
    confirms.state.assign(batch.size(), 0);
    std::vector<amqp_table_entry_t> entries;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // Rasa's envelope (§2.2): persistent, a headers table always present, app_id only when set,
      // no content type.
      amqp_basic_properties_t props{};
      props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_HEADERS_FLAG;
      props.delivery_mode = 2;
      props.headers = amqp_detail::string_table(batch[i].headers, entries);
      if (!s_.app_id.empty()) {
        props._flags |= AMQP_BASIC_APP_ID_FLAG;
        props.app_id = bytes_of(s_.app_id);
      }
      int status = amqp_basic_publish(conn_.state(), 1, bytes_of(s_.exchange), amqp_empty_bytes,
                                      /*mandatory=*/1, /*immediate=*/0, &props, bytes_of(batch[i].body));
      if (status != AMQP_STATUS_OK) {
        result.error = conn_.fail_status(status, "publish");
        result.confirmed = confirms.acked_prefix;
        return result;
      }
      ++next_tag_;
      // Read confirms as they come, so the broker never waits on a full socket buffer of acks.
      if (i % 256 == 255) {
        if (auto err = read_pending(&confirms)) {
          result.error = err;
          result.confirmed = confirms.acked_prefix;
          return result;
        }
      }
    }
    result.error = wait_confirms(confirms);
    result.confirmed = confirms.acked_prefix;
    if (!result.error && confirms.nacked)
      result.error = Error{ErrorKind::Upstream, describe() + ": the broker refused message " +
                                                    std::to_string(confirms.acked_prefix + 1) + " of the batch (basic.nack)"};
    return result;
  }

  void close() override { conn_.close(); }

 private:
  // Handles one frame; an error when the connection is lost or the broker closed it.
  std::optional<Error> handle(const amqp_frame_t& frame, Confirms* confirms) {
    if (frame.frame_type != AMQP_FRAME_METHOD) return std::nullopt;
    const amqp_method_t& m = frame.payload.method;
    if (m.id == AMQP_BASIC_ACK_METHOD || m.id == AMQP_BASIC_NACK_METHOD) {
      bool ack = m.id == AMQP_BASIC_ACK_METHOD;
      auto tag = ack ? static_cast<amqp_basic_ack_t*>(m.decoded)->delivery_tag
                     : static_cast<amqp_basic_nack_t*>(m.decoded)->delivery_tag;
      bool multiple = ack ? static_cast<amqp_basic_ack_t*>(m.decoded)->multiple
                          : static_cast<amqp_basic_nack_t*>(m.decoded)->multiple;
      if (confirms) confirms->settle(tag, multiple, ack);
    } else if (m.id == AMQP_BASIC_RETURN_METHOD) {
      // Unroutable (no queue bound): Rasa counts it as published; its ack follows. Read past the
      // returned content.
      amqp_message_t message;
      amqp_rpc_reply_t reply = amqp_read_message(conn_.state(), frame.channel, &message, 0);
      if (reply.reply_type != AMQP_RESPONSE_NORMAL) return conn_.check_reply(reply, "read a returned message");
      amqp_destroy_message(&message);
    } else if (m.id == AMQP_CHANNEL_CLOSE_METHOD || m.id == AMQP_CONNECTION_CLOSE_METHOD) {
      return conn_.fail_close(frame);
    }
    return std::nullopt;
  }

  // Handles every frame that is already there, without waiting.
  std::optional<Error> read_pending(Confirms* confirms) {
    for (;;) {
      timeval zero{0, 0};
      amqp_frame_t frame;
      int status = amqp_simple_wait_frame_noblock(conn_.state(), &frame, &zero);
      if (status == AMQP_STATUS_TIMEOUT) return std::nullopt;
      if (status != AMQP_STATUS_OK) return conn_.fail_status(status, "read");
      if (auto err = handle(frame, confirms)) return err;
      amqp_maybe_release_buffers(conn_.state());
    }
  }

  std::optional<Error> wait_confirms(Confirms& confirms) {
    auto deadline = Clock::now() + s_.confirm_timeout;
    while (!confirms.done()) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        conn_.close();
        return Error{ErrorKind::Upstream, describe() + ": no confirmation from the broker within " +
                                              std::to_string(s_.confirm_timeout.count()) + " ms"};
      }
      timeval timeout{static_cast<time_t>(left / 1000000), static_cast<suseconds_t>(left % 1000000)};
      amqp_frame_t frame;
      int status = amqp_simple_wait_frame_noblock(conn_.state(), &frame, &timeout);
      if (status == AMQP_STATUS_TIMEOUT) continue;
      if (status != AMQP_STATUS_OK) return conn_.fail_status(status, "wait for publisher confirms");
      if (auto err = handle(frame, &confirms)) return err;
      amqp_maybe_release_buffers(conn_.state());
    }
    return std::nullopt;
  }

  AmqpBrokerSettings s_;
  amqp_detail::Connection conn_;
  std::uint64_t next_tag_ = 1;  // delivery tag of the next publish on channel 1 (confirm mode)
};

}  // namespace

std::unique_ptr<EventBroker> make_amqp_broker(AmqpBrokerSettings settings) {
  return std::make_unique<AmqpBroker>(std::move(settings));
}

}  // namespace convo
