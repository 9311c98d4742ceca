// A throwaway RabbitMQ node for Catch2 tests: Debian's rabbitmq-server in a temp dir on free
// loopback ports, started and stopped through tests/support/rabbitmq.sh (the one place that
// knows how), stopped and deleted when the object goes away. rabbitmq-server missing is a
// startup error, not a skip: CI installs it.
#pragma once

#include <string>
#include <vector>

namespace convo::test {

class RabbitmqServer {
 public:
  // The one node of this test binary, started on first use.
  static RabbitmqServer& shared();

  RabbitmqServer();
  ~RabbitmqServer();
  RabbitmqServer(const RabbitmqServer&) = delete;
  RabbitmqServer& operator=(const RabbitmqServer&) = delete;

  // Empty when the node runs; otherwise why it does not (with the script's output).
  const std::string& startup_error() const { return error_; }
  int port() const { return port_; }
  // AMQP over TLS: its port, and the CA that signed the node's certificate (for localhost and
  // 127.0.0.1).
  int tls_port() const { return tls_port_; }
  std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
  double start_seconds() const { return start_seconds_; }  // how long the first start took
  // amqp://guest:guest@127.0.0.1:<port>/
  std::string url() const;

  // Stops the node (connections drop); restart() brings it back on the same port with its data.
  bool stop();
  bool restart();

  // rabbitmqctl against the node (e.g. {"list_queues", "name", "durable"}): output lines; `ok`
  // false when rabbitmqctl failed.
  std::vector<std::string> ctl(const std::vector<std::string>& args, bool* ok = nullptr);

 private:
  bool script(const std::string& command, std::string& output);

  std::string dir_;
  std::string error_;
  int port_ = 0;
  int tls_port_ = 0;
  double start_seconds_ = 0;
  bool running_ = false;
};

// Runs a shell command; returns its stdout, and the exit code in `code`.
std::string run_command(const std::string& command, int* code = nullptr);

}  // namespace convo::test
