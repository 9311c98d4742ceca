// Many connections: each connection, keep-alive included, holds a server worker (cpp-httplib), so
// the server must take on a new connection while hundreds of others are open and mid-request.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "convo/http/server.hpp"
#include "convo/store/tracker_store.hpp"

using namespace convo;

namespace {

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Only a bound for a failing run (a server that never answers), never reached when it passes.
  timeval bound{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

void send_text(int fd, const std::string& text) {
  REQUIRE(send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
}

// Reads one answer to a GET /version (a small JSON body) and returns its status line.
std::string status_line(int fd) {
  std::string answer;
  char buffer[4096];
  while (answer.find("\r\n\r\n") == std::string::npos || answer.find('}') == std::string::npos) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  return answer.substr(0, answer.find("\r\n"));
}

}  // namespace

TEST_CASE("the server answers a new connection while 300 others are open mid-request", "[http]") {
  auto store = open_store("memory:", StoreAccess::ReadWrite);
  REQUIRE(store.ok());
  auto conversations = std::make_shared<Conversations>(std::shared_ptr<TrackerStore>(std::move(*store)), nullptr);
  ServerOptions options;
  options.interface = "127.0.0.1";
  options.port = 0;
  options.enable_api = true;
  HttpServer server(options, conversations);
  REQUIRE_FALSE(server.bind().has_value());
  std::thread thread([&] { server.run(); });

  // 300 keep-alive connections: each completed one request and then began another (half a request
  // line), so each holds a worker that waits for the rest.
  std::vector<int> held;
  for (int i = 0; i < 300; ++i) {
    int fd = connect_to(server.port());
    send_text(fd, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(status_line(fd) == "HTTP/1.1 200 OK");  // a fixed pool stops answering here
    send_text(fd, "GET /vers");
    held.push_back(fd);
  }
  int fresh = connect_to(server.port());
  send_text(fresh, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_line(fresh) == "HTTP/1.1 200 OK");
  // The held connections finish their requests and are answered too.
  for (int fd : held) send_text(fd, "ion HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  for (int fd : held) CHECK(status_line(fd) == "HTTP/1.1 200 OK");
  for (int fd : held) close(fd);
  close(fresh);
  server.stop();
  thread.join();
}
