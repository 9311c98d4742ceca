// rabbitmq-c, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of rabbitmq-c's header; calls stay as they are.
#pragma once

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_AMQP_FUNCTIONS(X) \
  X(amqp_basic_ack) \
  X(amqp_basic_consume) \
  X(amqp_basic_publish) \
  X(amqp_basic_qos) \
  X(amqp_channel_open) \
  X(amqp_confirm_select) \
  X(amqp_connection_close) \
  X(amqp_consume_message) \
  X(amqp_cstring_bytes) \
  X(amqp_destroy_connection) \
  X(amqp_destroy_envelope) \
  X(amqp_destroy_message) \
  X(amqp_exchange_declare) \
  X(amqp_get_rpc_reply) \
  X(amqp_login) \
  X(amqp_maybe_release_buffers) \
  X(amqp_new_connection) \
  X(amqp_queue_bind) \
  X(amqp_queue_declare) \
  X(amqp_read_message) \
  X(amqp_set_rpc_timeout) \
  X(amqp_simple_wait_frame) \
  X(amqp_simple_wait_frame_noblock) \
  X(amqp_socket_open_noblock) \
  X(amqp_ssl_socket_new) \
  X(amqp_ssl_socket_set_cacert) \
  X(amqp_ssl_socket_set_key) \
  X(amqp_ssl_socket_set_verify_hostname) \
  X(amqp_ssl_socket_set_verify_peer) \
  X(amqp_tcp_socket_new) \
  X(amqp_error_string2)

struct AmqpApi {
  CONVO_AMQP_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const AmqpApi& amqp_api() {
  static const AmqpApi table = [] {
    static const sys::SharedLibrary lib("librabbitmq.so.4", "librabbitmq4");
    AmqpApi t;
    CONVO_AMQP_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(amqp_api, amqp_basic_ack);
CONVO_DL_FORWARD(amqp_api, amqp_basic_consume);
CONVO_DL_FORWARD(amqp_api, amqp_basic_publish);
CONVO_DL_FORWARD(amqp_api, amqp_basic_qos);
CONVO_DL_FORWARD(amqp_api, amqp_channel_open);
CONVO_DL_FORWARD(amqp_api, amqp_confirm_select);
CONVO_DL_FORWARD(amqp_api, amqp_connection_close);
CONVO_DL_FORWARD(amqp_api, amqp_consume_message);
CONVO_DL_FORWARD(amqp_api, amqp_cstring_bytes);
CONVO_DL_FORWARD(amqp_api, amqp_destroy_connection);
CONVO_DL_FORWARD(amqp_api, amqp_destroy_envelope);
CONVO_DL_FORWARD(amqp_api, amqp_destroy_message);
CONVO_DL_FORWARD(amqp_api, amqp_exchange_declare);
CONVO_DL_FORWARD(amqp_api, amqp_get_rpc_reply);
CONVO_DL_FORWARD(amqp_api, amqp_login);
CONVO_DL_FORWARD(amqp_api, amqp_maybe_release_buffers);
CONVO_DL_FORWARD(amqp_api, amqp_new_connection);
CONVO_DL_FORWARD(amqp_api, amqp_queue_bind);
CONVO_DL_FORWARD(amqp_api, amqp_queue_declare);
CONVO_DL_FORWARD(amqp_api, amqp_read_message);
CONVO_DL_FORWARD(amqp_api, amqp_set_rpc_timeout);
CONVO_DL_FORWARD(amqp_api, amqp_simple_wait_frame);
CONVO_DL_FORWARD(amqp_api, amqp_simple_wait_frame_noblock);
CONVO_DL_FORWARD(amqp_api, amqp_socket_open_noblock);
CONVO_DL_FORWARD(amqp_api, amqp_ssl_socket_new);
CONVO_DL_FORWARD(amqp_api, amqp_ssl_socket_set_cacert);
CONVO_DL_FORWARD(amqp_api, amqp_ssl_socket_set_key);
CONVO_DL_FORWARD(amqp_api, amqp_ssl_socket_set_verify_hostname);
CONVO_DL_FORWARD(amqp_api, amqp_ssl_socket_set_verify_peer);
CONVO_DL_FORWARD(amqp_api, amqp_tcp_socket_new);
CONVO_DL_FORWARD(amqp_api, amqp_error_string2);

// rabbitmq-c's two exported constants, the same values defined here (data is not looked up).
inline const amqp_bytes_t amqp_empty_bytes{0, nullptr};
inline const amqp_table_t amqp_empty_table{0, nullptr};

}  // namespace convo
