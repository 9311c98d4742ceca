// The Kafka broker and source against librdkafka's mock cluster (real wire protocol), read back
// and written independently by kcat and kafka-python.
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../support/kafka_cluster.hpp"
#include "convo/broker/kafka.hpp"
#include "../temp_dir.hpp"

using namespace convo;
using convo::test::TempDir;
using convo::test::KafkaCluster;
using namespace std::chrono_literals;

namespace {

// Runs a shell command; its stdout, and whether it exited with 0.
struct Run {
  bool ok = false;
  std::string out;
};
Run run(const std::string& command) {
  Run r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Environment env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string prop(const KafkaBrokerSettings& s, const std::string& key) {
  for (const auto& [k, v] : s.properties)
    if (k == key) return v;
  return "<unset>";
}

KafkaBrokerSettings settings_for(const std::string& bootstrap, const std::string& topic,
                                 Json extra = Json::object(), Environment env = env_of({})) {
  Json section = {{"type", "kafka"}, {"url", bootstrap}, {"topic", topic},
                  {"security_protocol", "PLAINTEXT"}};
  for (const auto& item : extra.items()) section[item.key()] = item.value();
  std::vector<std::string> warnings;
  auto s = kafka_broker_settings(section, BrokerOptions{"endpoints.yml", std::move(env)}, warnings);
  REQUIRE(s.ok());
  return *s;
}

std::vector<BrokerMessage> batch_of(int n, const std::string& prefix) {
  std::vector<BrokerMessage> batch;
  for (int i = 0; i < n; ++i)
    batch.push_back({prefix + std::to_string(i % 3),
                     "{\"sender_id\": \"" + prefix + std::to_string(i % 3) + "\", \"n\": " +
                         std::to_string(i) + "}",
                     {}});
  return batch;
}

// Polls until every assigned partition is at its end and at least `want` messages arrived
// (a bounded number of polls, so a broken source fails instead of hanging).
std::vector<InboundMessage> drain(MessageSource& source, std::size_t want) {
  std::vector<InboundMessage> got;
  for (int i = 0; i < 300; ++i) {
    auto b = source.poll(1000, 200ms);
    REQUIRE(b.ok());
    got.insert(got.end(), b->messages.begin(), b->messages.end());
    if (b->end_of_stream && got.size() >= want) break;
  }
  return got;
}

KafkaSourceSettings source_for(const std::string& bootstrap, const std::string& topic,
                               KafkaStart start, const std::string& group) {
  KafkaSourceSettings s;
  s.brokers = bootstrap;
  s.topic = topic;
  s.group = group;
  s.start = start;
  return s;
}

// kafka-python reading the whole topic: one JSON line per message.
const char* kPythonConsumer = R"(import json, sys
from kafka import KafkaConsumer
c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',
                  consumer_timeout_ms=3000, enable_auto_commit=False)
for m in c:
    print(json.dumps({'p': m.partition, 'key': m.key.decode() if m.key is not None else None,
                      'value': m.value.decode(), 'headers': [[k, v.decode()] for k, v in m.headers]}))
)";

std::vector<Json> python_read(const TempDir& dir, const std::string& bootstrap, const std::string& topic) {
  const std::string script = dir.file("consume.py", kPythonConsumer);
  auto r = run("/usr/bin/python3 " + script + " " + bootstrap + " " + topic + " 2>/dev/null");
  REQUIRE(r.ok);
  std::vector<Json> out;
  for (const auto& line : lines(r.out)) out.push_back(Json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("kafka settings map Rasa's keys onto librdkafka properties", "[kafka]") {
  std::vector<std::string> warnings;
  const BrokerOptions options{"endpoints.yml", env_of({{"RASA_ENVIRONMENT", "prod"}})};
  Json section = {{"type", "kafka"}, {"url", Json::array({"k1:9092", "k2:9093"})},
                  {"client_id", "convo-1"}, {"partition_by_sender", true},
                  {"security_protocol", "sasl_ssl"}, {"sasl_mechanism", "SCRAM-SHA-512"},
                  {"sasl_username", "u"}, {"sasl_password", "pw"}, {"ssl_cafile", "/ca.pem"},
                  {"ssl_check_hostname", true}, {"group_id", "g"}, {"loglevel", "DEBUG"},
                  {"linger.ms", 5}, {"librdkafka", {{"queue.buffering.max.messages", 1000}}},
                  {"flavour", "x"}};
  auto s = kafka_broker_settings(section, options, warnings);
  REQUIRE(s.ok());
  CHECK(s->topic == "rasa_core_events");
  CHECK(s->partition_by_sender);
  CHECK(s->rasa_environment == "prod");
  CHECK(prop(*s, "bootstrap.servers") == "k1:9092,k2:9093");
  CHECK(prop(*s, "client.id") == "convo-1");
  CHECK(prop(*s, "security.protocol") == "sasl_ssl");
  CHECK(prop(*s, "sasl.mechanisms") == "SCRAM-SHA-512");
  CHECK(prop(*s, "sasl.username") == "u");
  CHECK(prop(*s, "sasl.password") == "pw");
  CHECK(prop(*s, "ssl.ca.location") == "/ca.pem");
  CHECK(prop(*s, "ssl.endpoint.identification.algorithm") == "https");
  CHECK(prop(*s, "partitioner") == "murmur2_random");
  CHECK(prop(*s, "acks") == "all");
  CHECK(prop(*s, "enable.idempotence") == "true");
  CHECK(prop(*s, "linger.ms") == "5");
  CHECK(prop(*s, "queue.buffering.max.messages") == "1000");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("`flavour`") != std::string::npos);
  CHECK(warnings[0].find("endpoints.yml") == 0);

  SECTION("Rasa's default protocol is SASL_PLAINTEXT with PLAIN, and no SSL keys") {
    warnings.clear();
    auto d = kafka_broker_settings({{"url", "k:1"}, {"ssl_cafile", "/ca.pem"}}, {"e.yml", env_of({})}, warnings);
    REQUIRE(d.ok());
    CHECK(prop(*d, "security.protocol") == "sasl_plaintext");
    CHECK(prop(*d, "sasl.mechanisms") == "PLAIN");
    CHECK(prop(*d, "ssl.ca.location") == "<unset>");
    CHECK(d->rasa_environment.empty());
    CHECK_FALSE(d->partition_by_sender);
  }
  SECTION("SSL honours ssl_check_hostname (Rasa forces it off) and uses no SASL keys") {
    auto ssl = [&](bool check) {
      auto d = kafka_broker_settings({{"url", "k:1"}, {"security_protocol", "SSL"}, {"sasl_username", "u"},
                                      {"ssl_certfile", "/c.pem"}, {"ssl_keyfile", "/k.pem"},
                                      {"ssl_check_hostname", check}},
                                     {"e.yml", env_of({})}, warnings);
      REQUIRE(d.ok());
      CHECK(prop(*d, "sasl.username") == "<unset>");
      CHECK(prop(*d, "ssl.certificate.location") == "/c.pem");
      CHECK(prop(*d, "ssl.key.location") == "/k.pem");
      return prop(*d, "ssl.endpoint.identification.algorithm");
    };
    CHECK(ssl(true) == "https");
    CHECK(ssl(false) == "none");
  }
  SECTION("a weaker acks given by the user turns idempotence off") {
    auto d = kafka_broker_settings({{"url", "k:1"}, {"librdkafka", {{"acks", 1}}}}, {"e.yml", env_of({})}, warnings);
    REQUIRE(d.ok());
    CHECK(prop(*d, "acks") == "1");
    CHECK(prop(*d, "enable.idempotence") == "false");
  }
  SECTION("the partitioner cannot be changed") {
    warnings.clear();
    auto d = kafka_broker_settings({{"url", "k:1"}, {"partitioner", "random"}}, {"e.yml", env_of({})}, warnings);
    REQUIRE(d.ok());
    CHECK(prop(*d, "partitioner") == "murmur2_random");
    CHECK(warnings.size() == 1);
  }
  SECTION("bad settings are Usage errors naming the key") {
    auto bad = [&](Json sec) {
      auto d = kafka_broker_settings(sec, {"e.yml", env_of({})}, warnings);
      REQUIRE_FALSE(d.ok());
      CHECK(d.error().kind == ErrorKind::Usage);
      return d.error().message;
    };
    CHECK(bad({{"url", "k:1"}, {"security_protocol", "TLS"}}).find("security_protocol") != std::string::npos);
    CHECK(bad({{"topic", "t"}}).find("`url`") != std::string::npos);
    CHECK(bad({{"url", "k:1"}, {"linger.ms", "soon"}}).find("`linger.ms`") != std::string::npos);
    CHECK(bad({{"url", "k:1"}, {"librdkafka", {{"no.such.property", 1}}}}).find("no.such.property") !=
          std::string::npos);
  }
}

TEST_CASE("kafka publish is confirmed and reads back through the source, kcat and kafka-python", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("events", 3));
  TempDir dir;
  auto broker = make_kafka_broker(settings_for(cluster.bootstrap(), "events"));
  CHECK(broker->describe() == "kafka://" + cluster.bootstrap() + " (topic events)");
  const auto batch = batch_of(30, "s");
  auto r = broker->publish(batch);
  REQUIRE_FALSE(r.error);
  CHECK(r.confirmed == batch.size());
  broker->close();

  std::multiset<std::string> sent;
  for (const auto& m : batch) sent.insert(m.body);

  auto source = make_kafka_source(source_for(cluster.bootstrap(), "events", KafkaStart::Beginning, "g1"));
  auto got = drain(*source, batch.size());
  std::multiset<std::string> received;
  for (const auto& m : got) {
    received.insert(m.body);
    CHECK(m.headers.empty());
    CHECK(m.source == "kafka:events");
    CHECK(m.topic == "events");
    CHECK(m.offset >= 0);
  }
  CHECK(received == sent);

  auto kcat = run("kcat -b " + cluster.bootstrap() + " -C -t events -e -q -f '%s\\n' 2>/dev/null");
  REQUIRE(kcat.ok);
  auto kl = lines(kcat.out);
  CHECK(std::multiset<std::string>(kl.begin(), kl.end()) == sent);

  std::multiset<std::string> py;
  for (const auto& m : python_read(dir, cluster.bootstrap(), "events")) {
    py.insert(m["value"].get<std::string>());
    CHECK(m["key"].is_null());             // no key without partition_by_sender
    CHECK(m["headers"] == Json::array());  // Rasa 2.8.12 sends no headers
  }
  CHECK(py == sent);
}

TEST_CASE("kafka partition_by_sender places each sender where Java/Rasa clients do", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("keyed", 6));
  TempDir dir;
  auto broker = make_kafka_broker(settings_for(cluster.bootstrap(), "keyed", {{"partition_by_sender", true}}));
  std::vector<BrokerMessage> batch;
  std::string ids;
  for (int i = 0; i < 200; ++i) {
    const std::string id = (i % 2 ? "user-" : "c0nv_") + std::to_string(i * 7919) + (i % 5 ? "" : "\xc3\xa9");
    batch.push_back({id, "{\"sender_id\": \"" + std::to_string(i) + "\"}", {}});
    ids += id + "\n";
  }
  auto r = broker->publish(batch);
  REQUIRE_FALSE(r.error);
  CHECK(r.confirmed == batch.size());

  const std::string script = dir.file("murmur.py", R"(import sys
from kafka.partitioner.default import murmur2
for line in open(sys.argv[1], 'rb').read().split(b'\n')[:-1]:
    print(line.decode() + '\t' + str((murmur2(line) & 0x7fffffff) % 6))
)");
  auto expected = run("/usr/bin/python3 " + script + " " + dir.file("ids.txt", ids));
  REQUIRE(expected.ok);
  std::map<std::string, int> want;
  for (const auto& line : lines(expected.out)) {
    const auto tab = line.find('\t');
    want[line.substr(0, tab)] = std::stoi(line.substr(tab + 1));
  }
  REQUIRE(want.size() == batch.size());

  std::set<int> used;
  std::size_t seen = 0;
  for (const auto& m : python_read(dir, cluster.bootstrap(), "keyed")) {
    const std::string key = m["key"].get<std::string>();
    CHECK(m["p"].get<int>() == want[key]);
    used.insert(m["p"].get<int>());
    ++seen;
  }
  CHECK(seen == batch.size());
  CHECK(used.size() == 6);
}

TEST_CASE("kafka headers: RASA_ENVIRONMENT only when set, message headers kept", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("env", 1));
  TempDir dir;
  auto broker = make_kafka_broker(
      settings_for(cluster.bootstrap(), "env", Json::object(), env_of({{"RASA_ENVIRONMENT", "staging"}})));
  std::vector<BrokerMessage> batch = {{"a", "{\"n\": 1}", {}},
                                      {"b", "{\"n\": 2}", {{kExportHeader, "0123456789abcdef0123456789abcdef"}}}};
  REQUIRE_FALSE(broker->publish(batch).error);

  auto py = python_read(dir, cluster.bootstrap(), "env");
  REQUIRE(py.size() == 2);
  CHECK(py[0]["headers"] == Json::parse(R"([["RASA_ENVIRONMENT", "staging"]])"));
  CHECK(py[1]["headers"] == Json::parse(
      R"([["rasa-export-process-id", "0123456789abcdef0123456789abcdef"], ["RASA_ENVIRONMENT", "staging"]])"));

  auto source = make_kafka_source(source_for(cluster.bootstrap(), "env", KafkaStart::Beginning, "g"));
  auto got = drain(*source, 2);
  REQUIRE(got.size() == 2);
  CHECK(got[1].headers == std::vector<Header>{{kExportHeader, "0123456789abcdef0123456789abcdef"},
                                              {"RASA_ENVIRONMENT", "staging"}});
  CHECK(export_id_of(got[1]) == "0123456789abcdef0123456789abcdef");
}

TEST_CASE("kafka source starts at stored offsets, the beginning or the end", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("in", 2));
  const std::string b = cluster.bootstrap();
  for (int p = 0; p < 2; ++p)
    REQUIRE(run("printf 'p" + std::to_string(p) + "-0\\np" + std::to_string(p) + "-1\\np" + std::to_string(p) +
                "-2\\np" + std::to_string(p) + "-3\\n' | kcat -b " + b + " -P -t in -p " + std::to_string(p) +
                " 2>/dev/null").ok);
  auto bodies = [](const std::vector<InboundMessage>& ms) {
    std::set<std::string> out;
    for (const auto& m : ms) out.insert(m.body);
    return out;
  };

  SECTION("stored: the sink's offset, else the beginning") {
    auto settings = source_for(b, "in", KafkaStart::Stored, "stored");
    settings.stored_offset = [](const std::string& topic, std::int32_t partition) -> std::optional<std::int64_t> {
      if (topic == "in" && partition == 0) return 3;
      return std::nullopt;
    };
    auto source = make_kafka_source(settings);
    auto got = drain(*source, 5);
    CHECK(bodies(got) == std::set<std::string>{"p0-3", "p1-0", "p1-1", "p1-2", "p1-3"});
    for (const auto& m : got)
      if (m.body == "p0-3") CHECK(m.offset == 3);
  }
  SECTION("beginning: everything") {
    auto source = make_kafka_source(source_for(b, "in", KafkaStart::Beginning, "begin"));
    CHECK(drain(*source, 8).size() == 8);
  }
  SECTION("end: only what arrives later, and end_of_stream across both partitions") {
    auto source = make_kafka_source(source_for(b, "in", KafkaStart::End, "end"));
    CHECK(drain(*source, 0).empty());
    REQUIRE(run("printf 'late\\n' | kcat -b " + b + " -P -t in -p 1 2>/dev/null").ok);
    auto got = drain(*source, 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "late");
    CHECK(got[0].partition == 1);
    CHECK(got[0].offset == 4);
  }
}

TEST_CASE("kafka source commits acknowledged offsets to its group", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("acked", 1));
  TempDir dir;
  REQUIRE(run("printf 'a\\nb\\nc\\n' | kcat -b " + cluster.bootstrap() + " -P -t acked 2>/dev/null").ok);
  auto source = make_kafka_source(source_for(cluster.bootstrap(), "acked", KafkaStart::Beginning, "lagtool"));
  SourceBatch first;
  for (int i = 0; i < 100 && first.messages.empty(); ++i) {
    auto b = source->poll(1, 200ms);
    REQUIRE(b.ok());
    first = *b;
  }
  REQUIRE(first.messages.size() == 1);
  CHECK(first.messages[0].body == "a");
  CHECK(first.lag == 2);  // b and c wait behind it
  SourceBatch batch;
  batch.messages = drain(*source, 2);
  REQUIRE(batch.messages.size() == 2);
  batch.messages.insert(batch.messages.begin(), first.messages[0]);
  CHECK_FALSE(source->acknowledge(batch));
  source.reset();  // leaves the group; the async commit has been sent by then
  const std::string script = dir.file("committed.py", R"(import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id='lagtool', enable_auto_commit=False)
print(c.committed(TopicPartition('acked', 0)))
)");
  auto r = run("/usr/bin/python3 " + script + " " + cluster.bootstrap() + " 2>/dev/null");
  REQUIRE(r.ok);
  CHECK(r.out == "3\n");
}

TEST_CASE("kafka source refuses a bad -X property with a Usage error naming it", "[kafka]") {
  auto settings = source_for("127.0.0.1:1", "t", KafkaStart::Beginning, "g");
  settings.properties = {{"fetch.wait.max.ms", "soon"}};
  auto source = make_kafka_source(settings);
  auto b = source->poll(10, 10ms);
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().kind == ErrorKind::Usage);
  CHECK(b.error().message.find("fetch.wait.max.ms") != std::string::npos);
}

TEST_CASE("kafka broker and source report a cluster that is down instead of hanging", "[kafka]") {
  KafkaCluster cluster;
  REQUIRE(cluster.create_topic("down", 1));
  auto broker = make_kafka_broker(settings_for(cluster.bootstrap(), "down", {{"message.timeout.ms", 2000}}));
  cluster.set_down(true);
  auto r = broker->publish(batch_of(3, "d"));
  CHECK(r.confirmed == 0);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::Upstream);
  CHECK(broker->connect());

  cluster.set_down(false);  // the same broker object recovers
  r = broker->publish(batch_of(3, "u"));
  CHECK_FALSE(r.error);
  CHECK(r.confirmed == 3);

  SECTION("a connected producer whose cluster goes away fails the delivery") {
    cluster.set_down(true);
    r = broker->publish(batch_of(2, "x"));
    CHECK(r.confirmed == 0);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Upstream);
  }
  SECTION("the source says so after its wait") {
    cluster.set_down(true);
    auto source = make_kafka_source(source_for(cluster.bootstrap(), "down", KafkaStart::Beginning, "g"));
    std::optional<Error> error;
    for (int i = 0; i < 30 && !error; ++i) {
      auto b = source->poll(10, 200ms);
      if (!b.ok()) error = b.error();
    }
    REQUIRE(error);
    CHECK(error->kind == ErrorKind::Upstream);
  }
}
