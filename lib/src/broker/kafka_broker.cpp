// Rasa's Kafka event broker (spec §5) on librdkafka: the `event_broker:` keys mapped onto
// librdkafka properties, and a producer whose publish waits for every delivery report.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "convo/broker/kafka.hpp"
#include "convo/core/text.hpp"
#include "convo/core/json.hpp"
#include "kafka_internal.hpp"

namespace convo {
namespace {

using kafka::Properties;
using kafka::set_property;

class Section {
 public:
  Section(const Json& section, const BrokerOptions& options) : section_(section), options_(options) {}

  std::string at(const std::string& key) const {
    return (options_.source.empty() ? "" : options_.source + ": ") + "event_broker: `" + key + "`";
  }
  bool has(const std::string& key) const {
    return section_.is_object() && section_.contains(key) && !section_[key].is_null();
  }
  const Json& operator[](const std::string& key) const { return section_[key]; }

  // A scalar as Python's str() hands it to kafka-python (numbers stay as written).
  Result<std::string> text(const std::string& key) const {
    const Json& v = section_[key];
    if (v.is_object() || v.is_array())
      return usage_error(at(key) + " must be text, not " + describe_type(v));
    return py_str(v);
  }

 private:
  const Json& section_;
  const BrokerOptions& options_;
};

// A pass-through value as librdkafka reads it: booleans as true/false, numbers as written.
Result<std::string> property_value(const Json& v, const std::string& at) {
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return python_float_repr(v.get<double>());
  if (v.is_number()) return v.dump();
  return usage_error(at + " must be a single value, not " + describe_type(v));
}

Result<std::string> bootstrap_servers(const Section& s) {
  if (!s.has("url")) return usage_error(s.at("url") + " is required for a Kafka broker (host:port)");
  const Json& url = s["url"];
  std::vector<std::string> hosts;
  if (url.is_array()) {
    for (const Json& item : url) {
      if (item.is_object() || item.is_array() || item.is_null())
        return usage_error(s.at("url") + " must list host:port strings, not " + describe_type(item));
      hosts.push_back(py_str(item));
    }
  } else {
    auto one = s.text("url");
    if (!one) return one.error();
    hosts.push_back(*one);
  }
  std::string joined;
  for (const auto& h : hosts)
    if (!h.empty()) joined += (joined.empty() ? "" : ",") + h;
  if (joined.empty()) return usage_error(s.at("url") + " is empty: give the Kafka bootstrap servers");
  return joined;
}

// security_protocol and the SASL/SSL keys that protocol uses (§5.2); hostname checking is
// honoured for SSL too (a convo improvement over Rasa, which forces it off there).
std::optional<Error> security_properties(const Section& s, Properties& props) {
  std::string protocol = "SASL_PLAINTEXT";  // Rasa's default, kept for compatibility
  if (s.has("security_protocol")) {
    auto v = s.text("security_protocol");
    if (!v) return v.error();
    protocol = ascii_upper(*v);
  }
  if (protocol != "PLAINTEXT" && protocol != "SASL_PLAINTEXT" && protocol != "SSL" &&
      protocol != "SASL_SSL")
    return usage_error(s.at("security_protocol") + " must be PLAINTEXT, SASL_PLAINTEXT, SSL or " +
                       "SASL_SSL, not '" + protocol + "'");
  set_property(props, "security.protocol", ascii_lower(protocol));
  const bool sasl = protocol.rfind("SASL_", 0) == 0;
  const bool ssl = protocol == "SSL" || protocol == "SASL_SSL";
  auto copy = [&](const char* key, const char* property) -> std::optional<Error> {
    if (!s.has(key)) return std::nullopt;
    auto v = s.text(key);
    if (!v) return v.error();
    set_property(props, property, *v);
    return std::nullopt;
  };
  if (sasl) {
    set_property(props, "sasl.mechanisms", "PLAIN");
    for (auto [key, property] : {std::pair{"sasl_mechanism", "sasl.mechanisms"},
                                 std::pair{"sasl_username", "sasl.username"},
                                 std::pair{"sasl_password", "sasl.password"}})
      if (auto e = copy(key, property)) return e;
  }
  if (ssl) {
    for (auto [key, property] : {std::pair{"ssl_cafile", "ssl.ca.location"},
                                 std::pair{"ssl_certfile", "ssl.certificate.location"},
                                 std::pair{"ssl_keyfile", "ssl.key.location"}})
      if (auto e = copy(key, property)) return e;
    const bool check = s.has("ssl_check_hostname") && py_truthy(s["ssl_check_hostname"]);
    set_property(props, "ssl.endpoint.identification.algorithm", check ? "https" : "none");
  }
  return std::nullopt;
}

bool is_rasa_key(const std::string& key) {
  static const char* const keys[] = {
      "type", "store_type", "url", "topic", "client_id", "partition_by_sender", "security_protocol",
      "sasl_mechanism", "sasl_username", "sasl_password", "ssl_cafile", "ssl_certfile",
      "ssl_keyfile", "ssl_check_hostname", "loglevel", "group_id", "librdkafka"};
  return std::any_of(std::begin(keys), std::end(keys), [&](const char* k) { return key == k; });
}

// Properties given verbatim: keys with a '.' at the top of the section, and the `librdkafka:`
// mapping. The partitioner stays murmur2_random (Java/Rasa key placement, §5.3 MUST).
std::optional<Error> pass_through(const Section& s, const Json& section, Properties& props,
                                  std::vector<std::string>& warnings) {
  auto set = [&](const std::string& key, const Json& value, const std::string& at) -> std::optional<Error> {
    auto v = property_value(value, at);
    if (!v) return v.error();
    if (key == "partitioner" && *v != "murmur2_random") {
      warnings.push_back(at + " is ignored: convo always uses murmur2_random, the partitioner " +
                         "that places keys as Rasa's (Java-compatible) client does");
      return std::nullopt;
    }
    set_property(props, key, *v);
    return std::nullopt;
  };
  for (const auto& item : section.items())
    if (item.key().find('.') != std::string::npos)
      if (auto e = set(item.key(), item.value(), s.at(item.key()))) return e;
  if (s.has("librdkafka")) {
    const Json& map = s["librdkafka"];
    if (!map.is_object())
      return usage_error(s.at("librdkafka") + " must be a mapping of librdkafka properties, not " +
                         describe_type(map));
    for (const auto& item : map.items())
      if (auto e = set(item.key(), item.value(), s.at("librdkafka." + item.key()))) return e;
  }
  return std::nullopt;
}

}  // namespace

Result<KafkaBrokerSettings> kafka_broker_settings(const Json& section, const BrokerOptions& options,
                                                  std::vector<std::string>& warnings) {
  const Section s(section, options);
  KafkaBrokerSettings out;
  Properties& props = out.properties;
  auto servers = bootstrap_servers(s);
  if (!servers) return servers.error();
  set_property(props, "bootstrap.servers", *servers);
  if (s.has("topic")) {
    auto topic = s.text("topic");
    if (!topic) return topic.error();
    if (topic->empty()) return usage_error(s.at("topic") + " must not be empty");
    out.topic = *topic;
  }
  if (s.has("client_id")) {
    auto id = s.text("client_id");
    if (!id) return id.error();
    set_property(props, "client.id", *id);
  }
  out.partition_by_sender = s.has("partition_by_sender") && py_truthy(s["partition_by_sender"]);
  // Better than kafka-python's acks=1 without idempotence: no loss on leader failover, no
  // duplicates from librdkafka's own retries (§5.3 SHOULD). librdkafka's mock cluster accepts
  // idempotent producers (InitProducerId), so the tests run with these defaults too.
  set_property(props, "acks", "all");
  set_property(props, "enable.idempotence", "true");
  // A publish to an unreachable cluster fails after 30 s instead of librdkafka's 5 minutes: the
  // outbox keeps the events and retries, so a short bound loses nothing.
  set_property(props, "message.timeout.ms", "30000");
  if (auto e = security_properties(s, props)) return *e;
  if (section.is_object()) {
    if (auto e = pass_through(s, section, props, warnings)) return *e;
    for (const auto& item : section.items())
      if (!is_rasa_key(item.key()) && item.key().find('.') == std::string::npos)
        warnings.push_back(s.at(item.key()) + " is not a setting of the Kafka broker (ignored)");
  }
  // An explicit weaker `acks` turns idempotence off unless that was asked for too (librdkafka
  // refuses idempotence without acks=all).
  const std::string acks = *kafka::find_property(props, "acks");
  const bool idempotence_given = (s.has("enable.idempotence")) ||
                                 (s.has("librdkafka") && s["librdkafka"].contains("enable.idempotence"));
  if (acks != "all" && acks != "-1" && !idempotence_given)
    set_property(props, "enable.idempotence", "false");
  set_property(props, "partitioner", "murmur2_random");
  if (auto env = options.env ? options.env("RASA_ENVIRONMENT") : std::nullopt; env && !env->empty())
    out.rasa_environment = *env;
  auto conf = kafka::make_conf(props, (options.source.empty() ? "" : options.source + ": ") +
                                          "event_broker");
  if (!conf) return conf.error();
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

// How long connect() waits for the cluster to describe the topic.
constexpr std::chrono::milliseconds kConnectWait{5000};
constexpr std::chrono::milliseconds kCloseWait{5000};

enum class Delivery : std::uint8_t { Pending, Delivered, Failed };

class KafkaBroker final : public EventBroker {
 public:
  explicit KafkaBroker(KafkaBrokerSettings settings) : settings_(std::move(settings)) {
    const std::string* servers = kafka::find_property(settings_.properties, "bootstrap.servers");
    bootstrap_ = servers ? *servers : "";
    const std::string* timeout = kafka::find_property(settings_.properties, "message.timeout.ms");
    message_timeout_ = std::chrono::milliseconds(timeout ? std::atoll(timeout->c_str()) : 300000);
  }
  ~KafkaBroker() override { close(); }
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  std::string describe() const override {
    return "kafka://" + bootstrap_ + " (topic " + settings_.topic + ")";
  }

  std::optional<Error> connect() override {
    if (rk_ && rd_kafka_fatal_error(rk_, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) drop();
    if (!rk_)
      if (auto e = create()) return e;
    if (auto e = check_topic()) {
      drop();
      return e;
    }
    return std::nullopt;
  }

  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult result;
    if (batch.empty()) return result;
    if (!rk_ || rd_kafka_fatal_error(rk_, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (auto e = connect()) {
        result.error = std::move(e);
        return result;
      }
    }
    base_ = next_seq_;
    next_seq_ += batch.size();
    status_.assign(batch.size(), Delivery::Pending);
    failure_.clear();
    failed_at_ = batch.size();
    pending_ = 0;
    std::size_t produced = 0;
    for (; produced < batch.size(); ++produced) {
      if (auto e = produce(batch[produced], base_ + produced)) {
        failure_ = *e;
        failed_at_ = produced;
        break;
      }
      ++pending_;
    }
    wait_for_reports();
    while (result.confirmed < produced && status_[result.confirmed] == Delivery::Delivered)
      ++result.confirmed;
    if (result.confirmed < batch.size()) {
      std::string why = failure_.empty() ? "no delivery report" : failure_;
      result.error = Error{ErrorKind::Upstream,
                           "Kafka " + describe() + " did not take message " +
                               std::to_string(result.confirmed + 1) + " of " +
                               std::to_string(batch.size()) + ": " + why};
      // The next publish starts afresh with connect()'s short check rather than waiting out
      // message.timeout.ms again on a cluster that is still away.
      drop();
    }
    return result;
  }

  void close() override {
    if (!rk_) return;
    rd_kafka_flush(rk_, static_cast<int>(kCloseWait.count()));
    drop();
  }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<KafkaBroker*>(opaque);
    const auto seq = reinterpret_cast<std::uintptr_t>(m->_private);
    // Reports of an earlier batch (that timed out) are not this batch's business.
    if (seq < self->base_ || seq >= self->base_ + self->status_.size()) return;
    const std::size_t i = seq - self->base_;
    if (self->status_[i] != Delivery::Pending) return;
    --self->pending_;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->status_[i] = Delivery::Delivered;
      return;
    }
    self->status_[i] = Delivery::Failed;
    if (i < self->failed_at_) {
      self->failed_at_ = i;
      if (m->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE && m->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        self->failure_ = rd_kafka_err2str(m->err) +
                         (self->last_error_.empty() ? "" : " (" + self->last_error_ + ")");
    }
  }
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* self = static_cast<KafkaBroker*>(opaque);
    self->last_error_ = reason ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err));
  }

  std::optional<Error> create() {
    auto conf = kafka::make_conf(settings_.properties, "event_broker");
    if (!conf) return conf.error();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaBroker::on_delivery);
    rd_kafka_conf_set_error_cb(conf->get(), &KafkaBroker::on_error);
    rd_kafka_conf_set_log_cb(conf->get(), &kafka::quiet_log);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err);
    if (!rk_) return usage_error("event_broker: Kafka producer: " + std::string(err));
    conf->release();  // rd_kafka_new owns it now
    last_error_.clear();
    return std::nullopt;
  }

  // The cluster answers and knows the topic (with at least one partition) within kConnectWait.
  std::optional<Error> check_topic() {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk_, settings_.topic.c_str(), nullptr);
    const auto deadline = Clock::now() + kConnectWait;
    std::string why = "no answer";
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      const rd_kafka_metadata_t* md = nullptr;
      const rd_kafka_resp_err_t err =
          rd_kafka_metadata(rk_, 0, topic, &md, static_cast<int>(left.count()));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        why = last_error_.empty() ? rd_kafka_err2str(err) : last_error_;
        break;
      }
      const bool ready = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                         md->topics[0].partition_cnt > 0;
      if (!ready)
        why = "topic " + settings_.topic + ": " +
              (md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not described");
      rd_kafka_metadata_destroy(md);
      if (ready) {
        rd_kafka_topic_destroy(topic);
        return std::nullopt;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    rd_kafka_topic_destroy(topic);
    return Error{ErrorKind::Upstream, "cannot reach Kafka " + describe() + ": " + why};
  }

  std::optional<std::string> produce(const BrokerMessage& message, std::uint64_t seq) {
    const auto deadline = Clock::now() + message_timeout_;
    for (;;) {
      rd_kafka_headers_t* headers = nullptr;
      if (!message.headers.empty() || !settings_.rasa_environment.empty()) {
        headers = rd_kafka_headers_new(message.headers.size() + 1);
        for (const auto& [name, value] : message.headers)
          rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                              static_cast<ssize_t>(value.size()));
        if (!settings_.rasa_environment.empty())
          rd_kafka_header_add(headers, "RASA_ENVIRONMENT", -1, settings_.rasa_environment.data(),
                              static_cast<ssize_t>(settings_.rasa_environment.size()));
      }
      const bool keyed = settings_.partition_by_sender;
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_, RD_KAFKA_V_TOPIC(settings_.topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(message.body.data()), message.body.size()),
          RD_KAFKA_V_KEY(keyed ? message.sender_id.data() : nullptr,
                         keyed ? message.sender_id.size() : 0),
          RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(seq))),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
      if (headers) rd_kafka_headers_destroy(headers);  // not taken on failure
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline)
        return std::string(rd_kafka_err2str(err));
      rd_kafka_poll(rk_, 100);  // make room: serve delivery reports
    }
  }

  // librdkafka reports every message within message.timeout.ms; a little more is allowed for
  // the report itself, then whatever is left is purged and counts as failed.
  void wait_for_reports() {
    const auto deadline = Clock::now() + message_timeout_ + std::chrono::seconds(2);
    while (pending_ > 0 && Clock::now() < deadline) rd_kafka_poll(rk_, 100);
    if (pending_ == 0) return;
    if (failed_at_ == status_.size() || status_[failed_at_] == Delivery::Pending)
      failure_ = "no delivery report within " + std::to_string(message_timeout_.count()) + " ms" +
                 (last_error_.empty() ? "" : " (" + last_error_ + ")");
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
  }

  void drop() {
    if (!rk_) return;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

  KafkaBrokerSettings settings_;
  std::string bootstrap_;
  std::chrono::milliseconds message_timeout_{300000};
  rd_kafka_t* rk_ = nullptr;
  std::string last_error_;
  // The batch in flight: message i carries sequence number base_ + i as its opaque.
  std::uint64_t next_seq_ = 1;
  std::uint64_t base_ = 0;
  std::vector<Delivery> status_;
  std::size_t pending_ = 0;
  std::size_t failed_at_ = 0;
  std::string failure_;
};

}  // namespace

std::unique_ptr<EventBroker> make_kafka_broker(KafkaBrokerSettings settings) {
  return std::make_unique<KafkaBroker>(std::move(settings));
}

}  // namespace convo
