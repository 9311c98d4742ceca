#include "kafka_cluster.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace convo::test {

KafkaCluster::KafkaCluster(int brokers) : brokers_(brokers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!handle_) {
    rd_kafka_conf_destroy(conf);
    return;
  }
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (cluster_) bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

KafkaCluster::~KafkaCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

bool KafkaCluster::create_topic(const std::string& name, int partitions) {
  return cluster_ && rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaCluster::set_down(bool down) {
  if (!cluster_) return;
  for (int id = 1; id <= brokers_; ++id) {
    if (down)
      rd_kafka_mock_broker_set_down(cluster_, id);
    else
      rd_kafka_mock_broker_set_up(cluster_, id);
  }
}

}  // namespace convo::test
