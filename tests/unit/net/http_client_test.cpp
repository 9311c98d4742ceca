// The one libcurl wrapper against a real HTTP server on loopback (cpp-httplib): streaming
// callbacks, headers, aborts, retries of idempotent requests, and the client's error mapping.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "convo/net/http_client.hpp"

using namespace convo;

namespace {

struct Peer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int> flaky_calls{0};
  Peer() {
    server.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("ETag", "\"abc\"");
      res.set_content("hello " + req.get_param_value("token") + " " + req.get_header_value("Authorization"), "text/plain");
    });
    server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, req.get_header_value("Content-Type"));
    });
    server.Get("/big", [](const httplib::Request&, httplib::Response& res) { res.set_content(std::string(1 << 20, 'x'), "application/octet-stream"); });
    server.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      res.status = ++flaky_calls < 2 ? 503 : 200;
      res.set_content("{}", "application/json");
    });
    server.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"status": "failure", "message": "Conversation ID not found."})", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  ~Peer() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace

TEST_CASE("perform: status, lower-cased headers and the body through callbacks", "[net]") {
  Peer peer;
  HttpTransfer t;
  t.url = peer.url() + "/hello?token=t1";
  long status = 0;
  std::string etag, body;
  t.on_status = [&](long s) { status = s; };
  t.on_header = [&](const std::string& name, const std::string& value) {
    if (name == "etag") etag = value;
  };
  t.on_body = [&](const char* data, std::size_t n) {
    body.append(data, n);
    return true;
  };
  auto r = perform(t);
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(status == 200);
  CHECK(etag == "\"abc\"");
  CHECK(body == "hello t1 ");
}

TEST_CASE("perform: a callback's refusal aborts the transfer", "[net]") {
  Peer peer;
  HttpTransfer t;
  t.url = peer.url() + "/big";
  t.shown_url = peer.url() + "/big (shown)";
  t.on_body = [](const char*, std::size_t) { return false; };
  auto r = perform(t);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Runtime);
  CHECK(r.error().message.find("(shown)") != std::string::npos);
}

TEST_CASE("http_request: token and JWT, bodies, retries and error kinds", "[net]") {
  Peer peer;
  ClientOptions client;
  client.base_url = peer.url() + "/";
  client.token = "s e";
  client.jwt = "j.w.t";
  auto hello = http_request(client, "GET", "/hello");
  REQUIRE(hello.ok());
  CHECK(hello->body == "hello s e Bearer j.w.t");
  auto echo = http_request(client, "POST", "/echo", R"({"a":1})");
  REQUIRE(echo.ok());
  CHECK(echo->body == R"({"a":1})");
  CHECK(echo->content_type == "application/json");

  auto flaky = http_request(client, "GET", "/flaky", "", true);
  REQUIRE(flaky.ok());
  CHECK(flaky->status == 200);
  CHECK(peer.flaky_calls == 2);

  auto missing = http_request(client, "GET", "/missing");
  REQUIRE(missing.ok());
  Error e = error_from_response(*missing, "GET x");
  CHECK(e.kind == ErrorKind::NotFound);
  CHECK(e.message == "GET x: HTTP 404 Conversation ID not found.");
  CHECK(error_from_response({401, "", ""}, "w").kind == ErrorKind::Auth);
  CHECK(error_from_response({403, "", ""}, "w").kind == ErrorKind::Auth);
  CHECK(error_from_response({502, "not json", ""}, "w").kind == ErrorKind::Upstream);
  CHECK(error_from_response({400, "", ""}, "w").kind == ErrorKind::Runtime);

  ClientOptions nowhere;
  nowhere.base_url = "http://127.0.0.1:1";
  nowhere.retries = 0;
  auto refused = http_request(nowhere, "GET", "/x?token=secret");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::Upstream);
  CHECK(refused.error().message.rfind("http://127.0.0.1:1/x", 0) == 0);
}

TEST_CASE("url_escape keeps RFC 3986's unreserved characters", "[net]") {
  CHECK(url_escape("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(url_escape("a b/c?d") == "a%20b%2Fc%3Fd");
}
