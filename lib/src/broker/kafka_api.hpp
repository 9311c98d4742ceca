// librdkafka, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of librdkafka's header; calls stay as they are.
#pragma once

#include <librdkafka/rdkafka.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_KAFKA_FUNCTIONS(X) \
  X(rd_kafka_assign) \
  X(rd_kafka_commit) \
  X(rd_kafka_conf_destroy) \
  X(rd_kafka_conf_new) \
  X(rd_kafka_conf_set) \
  X(rd_kafka_conf_set_dr_msg_cb) \
  X(rd_kafka_conf_set_error_cb) \
  X(rd_kafka_conf_set_log_cb) \
  X(rd_kafka_conf_set_offset_commit_cb) \
  X(rd_kafka_conf_set_opaque) \
  X(rd_kafka_conf_set_rebalance_cb) \
  X(rd_kafka_consumer_close) \
  X(rd_kafka_consumer_poll) \
  X(rd_kafka_destroy) \
  X(rd_kafka_error_destroy) \
  X(rd_kafka_fatal_error) \
  X(rd_kafka_flush) \
  X(rd_kafka_get_watermark_offsets) \
  X(rd_kafka_header_add) \
  X(rd_kafka_header_get_all) \
  X(rd_kafka_headers_destroy) \
  X(rd_kafka_headers_new) \
  X(rd_kafka_incremental_assign) \
  X(rd_kafka_incremental_unassign) \
  X(rd_kafka_message_destroy) \
  X(rd_kafka_message_errstr) \
  X(rd_kafka_message_headers) \
  X(rd_kafka_metadata) \
  X(rd_kafka_metadata_destroy) \
  X(rd_kafka_new) \
  X(rd_kafka_poll) \
  X(rd_kafka_poll_set_consumer) \
  X(rd_kafka_position) \
  X(rd_kafka_producev) \
  X(rd_kafka_purge) \
  X(rd_kafka_rebalance_protocol) \
  X(rd_kafka_subscribe) \
  X(rd_kafka_topic_destroy) \
  X(rd_kafka_topic_name) \
  X(rd_kafka_topic_new) \
  X(rd_kafka_topic_partition_list_add) \
  X(rd_kafka_topic_partition_list_destroy) \
  X(rd_kafka_topic_partition_list_new) \
  X(rd_kafka_err2str) \
  X(rd_kafka_last_error)

struct KafkaApi {
  CONVO_KAFKA_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const KafkaApi& kafka_api() {
  static const KafkaApi table = [] {
    static const sys::SharedLibrary lib("librdkafka.so.1", "librdkafka1");
    KafkaApi t;
    CONVO_KAFKA_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(kafka_api, rd_kafka_assign);
CONVO_DL_FORWARD(kafka_api, rd_kafka_commit);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_new);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_dr_msg_cb);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_error_cb);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_log_cb);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_offset_commit_cb);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_opaque);
CONVO_DL_FORWARD(kafka_api, rd_kafka_conf_set_rebalance_cb);
CONVO_DL_FORWARD(kafka_api, rd_kafka_consumer_close);
CONVO_DL_FORWARD(kafka_api, rd_kafka_consumer_poll);
CONVO_DL_FORWARD(kafka_api, rd_kafka_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_error_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_fatal_error);
CONVO_DL_FORWARD(kafka_api, rd_kafka_flush);
CONVO_DL_FORWARD(kafka_api, rd_kafka_get_watermark_offsets);
CONVO_DL_FORWARD(kafka_api, rd_kafka_header_add);
CONVO_DL_FORWARD(kafka_api, rd_kafka_header_get_all);
CONVO_DL_FORWARD(kafka_api, rd_kafka_headers_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_headers_new);
CONVO_DL_FORWARD(kafka_api, rd_kafka_incremental_assign);
CONVO_DL_FORWARD(kafka_api, rd_kafka_incremental_unassign);
CONVO_DL_FORWARD(kafka_api, rd_kafka_message_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_message_errstr);
CONVO_DL_FORWARD(kafka_api, rd_kafka_message_headers);
CONVO_DL_FORWARD(kafka_api, rd_kafka_metadata);
CONVO_DL_FORWARD(kafka_api, rd_kafka_metadata_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_new);
CONVO_DL_FORWARD(kafka_api, rd_kafka_poll);
CONVO_DL_FORWARD(kafka_api, rd_kafka_poll_set_consumer);
CONVO_DL_FORWARD(kafka_api, rd_kafka_position);
CONVO_DL_FORWARD(kafka_api, rd_kafka_producev);
CONVO_DL_FORWARD(kafka_api, rd_kafka_purge);
CONVO_DL_FORWARD(kafka_api, rd_kafka_rebalance_protocol);
CONVO_DL_FORWARD(kafka_api, rd_kafka_subscribe);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_name);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_new);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_partition_list_add);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_partition_list_destroy);
CONVO_DL_FORWARD(kafka_api, rd_kafka_topic_partition_list_new);
CONVO_DL_FORWARD(kafka_api, rd_kafka_err2str);
CONVO_DL_FORWARD(kafka_api, rd_kafka_last_error);

}  // namespace convo
