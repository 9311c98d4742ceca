// librdkafka's mock Kafka cluster inside the test process: real wire protocol on loopback, so
// convo's producer and consumer, kcat and kafka-python all talk to it as to a broker.
#pragma once

#include <string>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace convo::test {

class KafkaCluster {
 public:
  explicit KafkaCluster(int brokers = 1);
  ~KafkaCluster();
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  // "127.0.0.1:port[,…]" for bootstrap.servers; empty when the cluster could not start.
  const std::string& bootstrap() const { return bootstrap_; }
  // Creates a topic up front (the mock otherwise auto-creates topics with its default count).
  bool create_topic(const std::string& name, int partitions);
  // Every broker refuses connections (down) or accepts them again (up).
  void set_down(bool down);

 private:
  rd_kafka_s* handle_ = nullptr;  // the client handle that owns the mock cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  int brokers_ = 0;
  std::string bootstrap_;
};

}  // namespace convo::test
