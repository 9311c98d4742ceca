// rabbitmq-c, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of rabbitmq-c's header; calls stay as they are.
#pragma once

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_AMQP_FUNCTIONS(X, arg) \
  X(arg, amqp_basic_ack) \
  X(arg, amqp_basic_consume) \
  X(arg, amqp_basic_publish) \
  X(arg, amqp_basic_qos) \
  X(arg, amqp_channel_open) \
  X(arg, amqp_confirm_select) \
  X(arg, amqp_connection_close) \
  X(arg, amqp_consume_message) \
  X(arg, amqp_cstring_bytes) \
  X(arg, amqp_destroy_connection) \
  X(arg, amqp_destroy_envelope) \
  X(arg, amqp_destroy_message) \
  X(arg, amqp_exchange_declare) \
  X(arg, amqp_get_rpc_reply) \
  X(arg, amqp_login) \
  X(arg, amqp_maybe_release_buffers) \
  X(arg, amqp_new_connection) \
  X(arg, amqp_queue_bind) \
  X(arg, amqp_queue_declare) \
  X(arg, amqp_read_message) \
  X(arg, amqp_set_rpc_timeout) \
  X(arg, amqp_simple_wait_frame) \
  X(arg, amqp_simple_wait_frame_noblock) \
  X(arg, amqp_socket_open_noblock) \
  X(arg, amqp_ssl_socket_new) \
  X(arg, amqp_ssl_socket_set_cacert) \
  X(arg, amqp_ssl_socket_set_key) \
  X(arg, amqp_ssl_socket_set_verify_hostname) \
  X(arg, amqp_ssl_socket_set_verify_peer) \
  X(arg, amqp_tcp_socket_new) \
  X(arg, amqp_error_string2)

CONVO_DL_LIBRARY(AmqpApi, amqp_api, "librabbitmq.so.4", "librabbitmq4", CONVO_AMQP_FUNCTIONS)

// rabbitmq-c's two exported constants, the same values defined here (data is not looked up).
inline const amqp_bytes_t amqp_empty_bytes{0, nullptr};
inline const amqp_table_t amqp_empty_table{0, nullptr};

}  // namespace convo
