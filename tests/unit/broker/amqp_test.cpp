// RabbitMQ broker and source against a real RabbitMQ node (tests/support/rabbitmq_server), read
// and written by third-party clients: python3-pika (like Rasa's docs consumer), amqp-tools and
// rabbitmqctl.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "../../support/rabbitmq_server.hpp"
#include "convo/broker/amqp.hpp"

using namespace convo;
using test::RabbitmqServer;

namespace {

RabbitmqServer& server() {
  RabbitmqServer& s = RabbitmqServer::shared();
  INFO(s.startup_error());
  REQUIRE(s.startup_error().empty());
  return s;
}

AmqpAddress address_of(RabbitmqServer& s) {
  auto a = parse_amqp_url(s.url());
  REQUIRE(a.ok());
  return *a;
}

Environment env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

AmqpBrokerSettings settings_for(RabbitmqServer& s, std::vector<std::string> queues, std::string exchange,
                                std::map<std::string, std::string> env = {}) {
  Json section = {{"url", s.url()}, {"queues", queues}, {"exchange_name", exchange}};
  std::vector<std::string> warnings;
  auto settings = amqp_broker_settings(section, BrokerOptions{"endpoints.yml", env_of(env)}, warnings);
  REQUIRE(settings.ok());
  return *settings;
}

// A consumer written like the pika example in Rasa's docs; prints one JSON line per message.
const char* kPikaConsumer = R"(import json, sys, pika
port, queue, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection = pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@127.0.0.1:%d/%%2F" % port))
channel = connection.channel()
received = []
def _callback(ch, method, properties, body):
    received.append({"body": body.decode("utf-8"), "delivery_mode": properties.delivery_mode,
                     "headers": properties.headers, "content_type": properties.content_type,
                     "app_id": properties.app_id, "exchange": method.exchange})
    if len(received) >= count:
        ch.stop_consuming()
channel.basic_consume(queue=queue, on_message_callback=_callback, auto_ack=True)
connection.call_later(60, channel.stop_consuming)
channel.start_consuming()
for r in received:
    print(json.dumps(r))
)";

std::vector<Json> pika_consume(RabbitmqServer& s, const std::string& queue, std::size_t count) {
  std::string script = "/tmp/convo_pika_consumer_" + std::to_string(getpid()) + ".py";
  std::ofstream(script) << kPikaConsumer;
  int code = 0;
  std::string out = test::run_command("/usr/bin/python3 " + script + " " + std::to_string(s.port()) + " " + queue +
                                          " " + std::to_string(count),
                                      &code);
  std::remove(script.c_str());
  REQUIRE(code == 0);
  std::vector<Json> messages;
  std::size_t pos = 0;
  for (std::size_t nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1)
    messages.push_back(Json::parse(out.substr(pos, nl - pos)));
  return messages;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// Polls until `count` messages arrived (or the queue says it is empty).
SourceBatch poll_all(MessageSource& source, std::size_t count) {
  SourceBatch all;
  for (int i = 0; i < 50 && all.messages.size() < count; ++i) {
    auto batch = source.poll(count - all.messages.size(), std::chrono::milliseconds(2000));
    INFO((batch.ok() ? "" : batch.error().message));
    REQUIRE(batch.ok());
    for (auto& m : batch->messages) all.messages.push_back(m);
    if (batch->end_of_stream) break;
  }
  return all;
}

}  // namespace

TEST_CASE("parse_amqp_url", "[amqp]") {
  auto a = parse_amqp_url("amqp://rasa:s%40cret%3A1@rabbit.internal:5673/prod%2Fv1?heartbeat=30&name=x");
  REQUIRE(a.ok());
  CHECK_FALSE(a->tls);
  CHECK(a->username == "rasa");
  CHECK(a->password == "s@cret:1");
  CHECK(a->host == "rabbit.internal");
  CHECK(a->port == 5673);
  CHECK(a->vhost == "prod/v1");
  CHECK(a->heartbeat == 30);

  auto d = parse_amqp_url("amqp://h");
  REQUIRE(d.ok());
  CHECK(d->port == 5672);
  CHECK(d->vhost == "/");
  CHECK(d->username == "guest");
  CHECK(parse_amqp_url("amqp://h/")->vhost == "/");
  CHECK(parse_amqp_url("amqp://h/%2f")->vhost == "/");
  CHECK(parse_amqp_url("amqp://h/%2F")->vhost == "/");
  CHECK(parse_amqp_url("amqp://[::1]:5000")->host == "::1");
  CHECK(parse_amqp_url("amqp://[::1]:5000")->port == 5000);

  auto t = parse_amqp_url("amqps://u:p@h?cafile=/etc/ca.pem&certfile=/c.pem&keyfile=/k.pem&no_verify_ssl=1&cacertfile=/x");
  REQUIRE(t.ok());
  CHECK(t->tls);
  CHECK(t->port == 5671);
  CHECK(t->ca_file == "/etc/ca.pem");
  CHECK(t->cert_file == "/c.pem");
  CHECK(t->key_file == "/k.pem");
  CHECK_FALSE(t->verify_peer);
  CHECK(parse_amqp_url("amqps://h")->verify_peer);

  for (const char* bad : {"http://h", "h:5672", "amqp://", "amqp://:5672/", "amqp://h:x", "amqp://h:70000",
                          "amqp://h:", "amqp://h/%zz", "amqp://h?heartbeat=abc", "amqp://[::1"}) {
    INFO(bad);
    auto r = parse_amqp_url(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
  }
}

TEST_CASE("amqp_broker_settings reads Rasa's pika section", "[amqp]") {
  std::vector<std::string> warnings;
  BrokerOptions options{"endpoints.yml", env_of({{"RASA_ENVIRONMENT", "prod"}})};

  Json plain = R"({"type": "pika", "url": "rabbit.internal", "username": "rasa", "password": 1234,
                   "port": "5673", "queues": ["a", "b"], "exchange_name": "ex",
                   "should_keep_unpublished_messages": true, "raise_on_failure": false,
                   "connection_attempts": 3, "retry_delay_in_seconds": 1, "log_level": "DEBUG"})"_json;
  auto s = amqp_broker_settings(plain, options, warnings);
  REQUIRE(s.ok());
  CHECK(warnings.empty());
  CHECK(s->address.host == "rabbit.internal");
  CHECK(s->address.username == "rasa");
  CHECK(s->address.password == "1234");
  CHECK(s->address.port == 5673);
  CHECK_FALSE(s->address.tls);
  CHECK(s->queues == std::vector<std::string>{"a", "b"});
  CHECK(s->exchange == "ex");
  CHECK(s->app_id == "prod");

  // A URI wins over username/password/port.
  Json uri = R"({"url": "amqp://u:p@h:1234/vh", "username": "x", "password": "y", "port": 99, "queues": "one"})"_json;
  s = amqp_broker_settings(uri, BrokerOptions{"endpoints.yml", env_of({})}, warnings);
  REQUIRE(s.ok());
  CHECK(s->address.username == "u");
  CHECK(s->address.port == 1234);
  CHECK(s->address.vhost == "vh");
  CHECK(s->queues == std::vector<std::string>{"one"});
  CHECK(s->exchange == "rasa-exchange");
  CHECK(s->app_id.empty());

  // Defaults, legacy `queue`, unknown keys: warnings.
  warnings.clear();
  s = amqp_broker_settings(R"({"url": "h", "colour": "red"})"_json, options, warnings);
  REQUIRE(s.ok());
  CHECK(s->queues == std::vector<std::string>{"rasa_core_events"});
  CHECK(s->address.port == 5672);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] == "endpoints.yml: event_broker: unknown key 'colour' ignored");
  CHECK(warnings[1].find("rasa_core_events") != std::string::npos);
  warnings.clear();
  s = amqp_broker_settings(R"({"url": "h", "queue": "legacy"})"_json, options, warnings);
  REQUIRE(s.ok());
  CHECK(s->queues == std::vector<std::string>{"legacy"});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("Rasa 2 ignores") != std::string::npos);

  // TLS from the client-certificate variables (plain host only) and convo's own keys.
  s = amqp_broker_settings(R"({"url": "h"})"_json,
                           BrokerOptions{"e.yml", env_of({{"RABBITMQ_SSL_CLIENT_CERTIFICATE", "/c.pem"},
                                                          {"RABBITMQ_SSL_CLIENT_KEY", "/k.pem"}})},
                           warnings);
  REQUIRE(s.ok());
  CHECK(s->address.tls);
  CHECK(s->address.cert_file == "/c.pem");
  CHECK(s->address.key_file == "/k.pem");
  s = amqp_broker_settings(R"({"url": "h", "virtual_host": "v", "ssl_ca_file": "/ca", "ssl_verify_peer": "false",
                               "heartbeat": 15})"_json, options, warnings);
  REQUIRE(s.ok());
  CHECK(s->address.vhost == "v");
  CHECK(s->address.tls);
  CHECK(s->address.ca_file == "/ca");
  CHECK_FALSE(s->address.verify_peer);
  CHECK(s->address.heartbeat == 15);

  auto missing = amqp_broker_settings(R"({"username": "u"})"_json, options, warnings);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::Usage);
  CHECK(missing.error().message.find("url") != std::string::npos);
  auto bad_port = amqp_broker_settings(R"({"url": "h", "port": "abc"})"_json, options, warnings);
  REQUIRE_FALSE(bad_port.ok());
  CHECK(bad_port.error().kind == ErrorKind::Usage);
  CHECK(bad_port.error().message.find("port") != std::string::npos);
}

TEST_CASE("AMQP broker publishes Rasa's envelope to every queue", "[amqp]") {
  RabbitmqServer& s = server();
  WARN("RabbitMQ start took " << s.start_seconds() << " s");
  auto broker = make_amqp_broker(settings_for(s, {"env_q1", "env_q2"}, "env-exchange", {{"RASA_ENVIRONMENT", "staging"}}));
  CHECK(broker->describe() == "amqp://guest@127.0.0.1:" + std::to_string(s.port()) + "/ (exchange env-exchange)");
  std::string body = R"({"sender_id": "u1", "event": "user", "timestamp": 1.5, "text": "h\u00e9"})";
  std::vector<BrokerMessage> batch = {{"u1", body, {}},
                                      {"u1", R"({"event": "bot", "sender_id": "u1"})", {{kExportHeader, std::string(32, 'a')}}}};
  auto result = broker->publish(batch);
  INFO((result.error ? result.error->message : ""));
  REQUIRE_FALSE(result.error);
  CHECK(result.confirmed == 2);

  for (const char* queue : {"env_q1", "env_q2"}) {
    auto got = pika_consume(s, queue, 2);
    REQUIRE(got.size() == 2);
    CHECK(got[0]["body"] == body);
    CHECK(got[0]["delivery_mode"] == 2);
    CHECK(got[0]["headers"] == Json::object());  // present and empty, as aio-pika sends it
    CHECK(got[0]["content_type"].is_null());
    CHECK(got[0]["app_id"] == "staging");
    CHECK(got[0]["exchange"] == "env-exchange");
    CHECK(got[1]["headers"] == Json{{kExportHeader, std::string(32, 'a')}});
  }

  // Rasa's declarations: a non-durable fanout exchange, durable queues.
  CHECK(has_line(s.ctl({"list_exchanges", "name", "type", "durable"}), "env-exchange\tfanout\tfalse"));
  auto queues = s.ctl({"list_queues", "name", "durable", "arguments"});
  CHECK(has_line(queues, "env_q1\ttrue\t[]"));
  CHECK(has_line(queues, "env_q2\ttrue\t[]"));

  // Without RASA_ENVIRONMENT there is no app_id.
  auto plain = make_amqp_broker(settings_for(s, {"env_q3"}, "env-exchange-2"));
  REQUIRE_FALSE(plain->publish({{"u", "{}", {}}}).error);
  auto got = pika_consume(s, "env_q3", 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0]["app_id"].is_null());
}

TEST_CASE("AMQP broker confirms a large batch", "[amqp]") {
  RabbitmqServer& s = server();
  auto broker = make_amqp_broker(settings_for(s, {"bulk_q"}, "bulk-exchange"));
  std::vector<BrokerMessage> batch;
  for (int i = 0; i < 5000; ++i)
    batch.push_back({"s", R"({"sender_id": "s", "event": "slot", "timestamp": )" + std::to_string(i) + "}", {}});
  auto result = broker->publish(batch);
  REQUIRE_FALSE(result.error);
  CHECK(result.confirmed == 5000);
  result = broker->publish(batch);  // the same connection, delivery tags continue
  REQUIRE_FALSE(result.error);
  CHECK(result.confirmed == 5000);
  CHECK(has_line(s.ctl({"list_queues", "name", "messages"}), "bulk_q\t10000"));
}

TEST_CASE("AMQP broker: nacks fail, returns count as published, bad logins are Auth errors", "[amqp]") {
  RabbitmqServer& s = server();
  // A queue that refuses a third message: the broker nacks it.
  bool ok = false;
  s.ctl({"set_policy", "nack-limit", "^nack_q$", R"({"max-length": 2, "overflow": "reject-publish"})",
         "--apply-to", "queues"}, &ok);
  REQUIRE(ok);
  auto broker = make_amqp_broker(settings_for(s, {"nack_q"}, "nack-exchange"));
  auto result = broker->publish({{"a", "1", {}}, {"a", "2", {}}, {"a", "3", {}}});
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::Upstream);
  CHECK(result.error->message.find("nack") != std::string::npos);
  CHECK(result.confirmed == 2);

  // No queue bound any more: the message comes back unroutable, which Rasa counts as published.
  auto lonely = make_amqp_broker(settings_for(s, {"return_q"}, "return-exchange"));
  REQUIRE_FALSE(lonely->connect());
  s.ctl({"delete_queue", "return_q"}, &ok);
  REQUIRE(ok);
  auto returned = lonely->publish({{"a", "nobody listens", {}}, {"a", "still nobody", {}}});
  INFO((returned.error ? returned.error->message : ""));
  CHECK_FALSE(returned.error);
  CHECK(returned.confirmed == 2);

  auto settings = settings_for(s, {"auth_q"}, "auth-exchange");
  settings.address.password = "wrong";
  auto refused = make_amqp_broker(settings)->connect();
  REQUIRE(refused);
  CHECK(refused->kind == ErrorKind::Auth);
  CHECK(refused->message.find("wrong") == std::string::npos);
}

TEST_CASE("AMQP broker over TLS verifies the server against the given CA", "[amqp]") {
  RabbitmqServer& s = server();
  std::string base = "amqps://guest:guest@localhost:" + std::to_string(s.tls_port()) + "/";
  auto broker_for = [&](const std::string& url) {
    std::vector<std::string> warnings;
    auto settings = amqp_broker_settings(Json{{"url", url}, {"queues", "tls_q"}, {"exchange_name", "tls-exchange"}},
                                         BrokerOptions{"endpoints.yml", env_of({})}, warnings);
    REQUIRE(settings.ok());
    return make_amqp_broker(*settings);
  };
  auto trusted = broker_for(base + "?cafile=" + s.ca_file());
  CHECK(trusted->describe().rfind("amqps://guest@localhost:", 0) == 0);
  auto result = trusted->publish({{"a", "over tls", {}}});
  INFO((result.error ? result.error->message : ""));
  REQUIRE_FALSE(result.error);
  CHECK(result.confirmed == 1);

  // The test CA is not in the system's bundle: refused, unless verification is turned off.
  auto untrusted = broker_for(base)->connect();
  REQUIRE(untrusted);
  CHECK(untrusted->kind == ErrorKind::Upstream);
  REQUIRE_FALSE(broker_for(base + "?no_verify_ssl=1")->publish({{"a", "unverified", {}}}).error);
  auto got = pika_consume(s, "tls_q", 2);
  REQUIRE(got.size() == 2);
  CHECK(got[0]["body"] == "over tls");
}

TEST_CASE("AMQP source reads, acks, and gets unacked messages back after a reconnect", "[amqp]") {
  RabbitmqServer& s = server();
  AmqpSourceSettings settings{address_of(s), "src_q", "", 100};
  auto source = make_amqp_source(settings);
  CHECK(source->describe() == "amqp://guest@127.0.0.1:" + std::to_string(s.port()) + "/ (queue src_q)");
  auto empty = source->poll(10, std::chrono::milliseconds(200));  // declares the queue
  REQUIRE(empty.ok());
  CHECK(empty->messages.empty());
  CHECK(empty->end_of_stream);

  int code = 0;
  test::run_command("printf 'm1\\nm2\\nm3\\n' | amqp-publish --server 127.0.0.1 --port " + std::to_string(s.port()) + " -r src_q -p -l -H 'rasa-export-process-id: " +
                        std::string(32, 'b') + "'",
                    &code);
  REQUIRE(code == 0);
  SourceBatch first = poll_all(*source, 3);
  REQUIRE(first.messages.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(first.messages[i].body == "m" + std::to_string(i + 1) + "\n");  // -l keeps each line's newline
    CHECK(first.messages[i].source == "amqp:src_q");
    CHECK(first.messages[i].delivery_tag == i + 1);
    CHECK_FALSE(first.messages[i].redelivered);
    CHECK(export_id_of(first.messages[i]) == std::string(32, 'b'));
  }

  // The connection drops before the ack: the batch comes back, flagged redelivered.
  s.ctl({"close_all_connections", "test"});
  auto lost = source->poll(10, std::chrono::milliseconds(1000));
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().kind == ErrorKind::Upstream);
  CHECK_FALSE(source->acknowledge(first));  // a batch of the old connection: nothing to ack
  SourceBatch again = poll_all(*source, 3);
  REQUIRE(again.messages.size() == 3);
  CHECK(again.messages[0].body == "m1\n");
  CHECK(again.messages[0].redelivered);
  CHECK_FALSE(source->acknowledge(again));

  // Acked: a new consumer finds the queue empty.
  auto other = make_amqp_source(settings);
  auto after = other->poll(10, std::chrono::milliseconds(300));
  REQUIRE(after.ok());
  CHECK(after->messages.empty());
  CHECK(after->end_of_stream);
}

TEST_CASE("AMQP source with an exchange receives what the broker publishes", "[amqp]") {
  RabbitmqServer& s = server();
  auto source = make_amqp_source(AmqpSourceSettings{address_of(s), "copy_q", "copy-exchange", 500});
  REQUIRE(source->poll(1, std::chrono::milliseconds(100)).ok());  // declares and binds copy_q
  auto broker = make_amqp_broker(settings_for(s, {"copy_rasa_q"}, "copy-exchange"));
  REQUIRE_FALSE(broker->publish({{"a", "one", {}}, {"a", "two", {{kExportHeader, "x"}}}}).error);
  SourceBatch got = poll_all(*source, 2);
  REQUIRE(got.messages.size() == 2);
  CHECK(got.messages[0].body == "one");
  CHECK(got.messages[0].headers.empty());
  CHECK(got.messages[1].headers == std::vector<Header>{{kExportHeader, "x"}});
}

TEST_CASE("AMQP broker survives a RabbitMQ restart", "[amqp]") {
  RabbitmqServer& s = server();
  auto broker = make_amqp_broker(settings_for(s, {"restart_q"}, "restart-exchange"));
  REQUIRE_FALSE(broker->publish({{"a", "before", {}}}).error);
  REQUIRE(s.stop());
  auto down = broker->publish({{"a", "while down", {}}});
  REQUIRE(down.error);
  CHECK(down.error->kind == ErrorKind::Upstream);
  CHECK(down.confirmed == 0);
  CHECK(down.error->message.find("guest:guest") == std::string::npos);
  INFO(s.startup_error());
  REQUIRE(s.restart());
  auto up = broker->publish({{"a", "after", {}}});
  INFO((up.error ? up.error->message : ""));
  REQUIRE_FALSE(up.error);
  CHECK(up.confirmed == 1);
  auto got = pika_consume(s, "restart_q", 2);  // durable queue, persistent message: both there
  REQUIRE(got.size() == 2);
  CHECK(got[0]["body"] == "before");
  CHECK(got[1]["body"] == "after");
}
