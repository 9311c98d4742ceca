// convo_kafka_mock: librdkafka's mock Kafka cluster as a process, for shell tests and benchmarks.
//   convo_kafka_mock [--brokers N] [--topic NAME[:PARTITIONS]]...
// Prints the bootstrap address as its first stdout line, then serves until stdin reaches EOF
// or SIGTERM/SIGINT arrives.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int usage(const char* why) {
  std::fprintf(stderr, "convo_kafka_mock: %s\nusage: convo_kafka_mock [--brokers N] "
                       "[--topic NAME[:PARTITIONS]]...\n", why);
  return 2;
}

bool parse_count(const std::string& text, int& out) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1 || v > 10000) return false;
  out = static_cast<int>(v);
  return true;
}

// Until stdin is at EOF (or fails) or a signal asked to stop.
void serve() {
  char buf[256];
  while (!g_stop) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    const int r = ::poll(&p, 1, 200);
    if (r < 0) continue;  // EINTR: the loop checks g_stop
    if (r == 0) continue;
    if (::read(STDIN_FILENO, buf, sizeof buf) <= 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--brokers" || arg == "--topic") && i + 1 >= argc) return usage("missing value");
    if (arg == "--brokers") {
      if (!parse_count(argv[++i], brokers)) return usage("--brokers needs a positive number");
    } else if (arg == "--topic") {
      std::string spec = argv[++i];
      int partitions = 1;
      if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
        if (!parse_count(spec.substr(colon + 1), partitions))
          return usage("--topic NAME:PARTITIONS needs a positive partition count");
        spec.resize(colon);
      }
      if (spec.empty()) return usage("--topic needs a name");
      topics.emplace_back(spec, partitions);
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) return usage(err);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) return usage("cannot start the mock cluster");
  for (const auto& [name, partitions] : topics) {
    if (rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "convo_kafka_mock: cannot create topic %s\n", name.c_str());
      return 1;
    }
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  serve();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
