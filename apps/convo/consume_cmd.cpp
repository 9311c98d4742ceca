// convo consume-kafka / consume-amqp (being written).
#include "cli.hpp"

namespace convo::cli {

void setup_consume_kafka(CLI::App& app, int& /*exit_code*/) {
  app.add_subcommand("consume-kafka", "Store a Rasa event stream from Kafka for offline replay");
}
void setup_consume_amqp(CLI::App& app, int& /*exit_code*/) {
  app.add_subcommand("consume-amqp", "Store a Rasa event stream from RabbitMQ for offline replay");
}

}  // namespace convo::cli
