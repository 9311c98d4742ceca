// librdkafka, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of librdkafka's header; calls stay as they are.
#pragma once

#include <librdkafka/rdkafka.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_KAFKA_FUNCTIONS(X, arg) \
  X(arg, rd_kafka_assign) \
  X(arg, rd_kafka_commit) \
  X(arg, rd_kafka_conf_destroy) \
  X(arg, rd_kafka_conf_new) \
  X(arg, rd_kafka_conf_set) \
  X(arg, rd_kafka_conf_set_dr_msg_cb) \
  X(arg, rd_kafka_conf_set_error_cb) \
  X(arg, rd_kafka_conf_set_log_cb) \
  X(arg, rd_kafka_conf_set_offset_commit_cb) \
  X(arg, rd_kafka_conf_set_opaque) \
  X(arg, rd_kafka_conf_set_rebalance_cb) \
  X(arg, rd_kafka_consumer_close) \
  X(arg, rd_kafka_consumer_poll) \
  X(arg, rd_kafka_destroy) \
  X(arg, rd_kafka_error_destroy) \
  X(arg, rd_kafka_fatal_error) \
  X(arg, rd_kafka_flush) \
  X(arg, rd_kafka_get_watermark_offsets) \
  X(arg, rd_kafka_header_add) \
  X(arg, rd_kafka_header_get_all) \
  X(arg, rd_kafka_headers_destroy) \
  X(arg, rd_kafka_headers_new) \
  X(arg, rd_kafka_incremental_assign) \
  X(arg, rd_kafka_incremental_unassign) \
  X(arg, rd_kafka_message_destroy) \
  X(arg, rd_kafka_message_errstr) \
  X(arg, rd_kafka_message_headers) \
  X(arg, rd_kafka_metadata) \
  X(arg, rd_kafka_metadata_destroy) \
  X(arg, rd_kafka_new) \
  X(arg, rd_kafka_poll) \
  X(arg, rd_kafka_poll_set_consumer) \
  X(arg, rd_kafka_position) \
  X(arg, rd_kafka_producev) \
  X(arg, rd_kafka_purge) \
  X(arg, rd_kafka_rebalance_protocol) \
  X(arg, rd_kafka_subscribe) \
  X(arg, rd_kafka_topic_destroy) \
  X(arg, rd_kafka_topic_name) \
  X(arg, rd_kafka_topic_new) \
  X(arg, rd_kafka_topic_partition_list_add) \
  X(arg, rd_kafka_topic_partition_list_destroy) \
  X(arg, rd_kafka_topic_partition_list_new) \
  X(arg, rd_kafka_err2str) \
  X(arg, rd_kafka_last_error)

CONVO_DL_LIBRARY(KafkaApi, kafka_api, "librdkafka.so.1", "librdkafka1", CONVO_KAFKA_FUNCTIONS)

}  // namespace convo
