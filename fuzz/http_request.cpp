// The server's request path: any bytes as one HTTP request on a fresh loopback connection to a
// real `convo serve` (API on, a memory store, the example bot loaded), so that cpp-httplib's
// parsing (request line, URL, query, headers, chunked bodies) and every route's handling of what
// it accepts are covered. The input is sent whole, the write side closed, and the answer read to
// its end; an answer, when there is one, must be HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "convo/http/server.hpp"
#include "convo/model/project.hpp"
#include "convo/pipeline/models.hpp"
#include "convo/store/tracker_store.hpp"
#include "fuzz_common.hpp"

using namespace convo;

namespace {

struct Served {
  std::shared_ptr<Conversations> conversations;
  std::shared_ptr<ModelManager> models;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
};
Served* served = nullptr;

void fail(const std::string& why) {
  std::fprintf(stderr, "http_request fuzz target: %s\n", why.c_str());
  std::exit(2);
}

// The example bot, built into a temp directory once.
std::string build_example_model() {
  auto files = read_project(std::string(CONVO_SOURCE_DIR) + "/examples/bot");
  if (!files) fail(files.error().message);
  ProjectReport report = validate_project(*files);
  if (!report.ok()) fail(report.errors.front());
  std::string dir = (std::filesystem::temp_directory_path() / ("convo-fuzz-" + std::to_string(getpid()))).string();
  auto built = pack_model(*files, report, "examples/bot", dir, "bot.tar.gz", 0);
  if (!built) fail(built.error().message);
  return built->path;
}

int connect_local(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto store = open_store("memory:", StoreAccess::ReadWrite);
  if (!store) fail(store.error().message);
  served = new Served;
  served->conversations = std::make_shared<Conversations>(std::shared_ptr<TrackerStore>(std::move(*store)), nullptr);
  served->models = std::make_shared<ModelManager>(served->conversations, nullptr);
  const std::string model = build_example_model();
  if (auto loaded = served->models->load(model); !loaded) fail(loaded.error().message);
  std::filesystem::remove_all(std::filesystem::path(model).parent_path());
  ServerOptions options;
  options.interface = "127.0.0.1";
  options.port = 0;
  options.enable_api = true;
  options.models = served->models;
  options.max_body_bytes = 1u << 20;
  served->server = std::make_unique<HttpServer>(options, served->conversations);
  if (auto err = served->server->bind()) fail(err->message);
  served->thread = std::thread([] { served->server->run(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = connect_local(served->server->port());
  if (fd < 0) fail("cannot connect to the server");
  std::size_t sent = 0;
  while (sent < size) {
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a bad request: that is an answer too
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  fuzz::require(answer.empty() || answer.rfind("HTTP/1.", 0) == 0, "the server answers HTTP or nothing");
  return 0;
}
