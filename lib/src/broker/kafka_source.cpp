// The Kafka consumer behind `convo consume-kafka` (spec §12): a consumer group member that
// starts each assigned partition where the sink says it stopped, reports the end of every
// partition, and commits offsets to the group only as a courtesy for lag tools.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "convo/broker/kafka.hpp"
#include "kafka_internal.hpp"

namespace convo {
namespace {

using Clock = std::chrono::steady_clock;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

class KafkaSource final : public MessageSource {
 public:
  explicit KafkaSource(KafkaSourceSettings settings) : settings_(std::move(settings)) {}
  ~KafkaSource() override {
    if (!rk_) return;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  std::string describe() const override {
    return "kafka://" + settings_.brokers + " (topic " + settings_.topic +
           (settings_.group.empty() ? std::string(")") : ", group " + settings_.group + ")");
  }

  Result<SourceBatch> poll(std::size_t max, std::chrono::milliseconds wait) override {
    if (!rk_)
      if (auto e = create()) return *e;
    if (settings_.group.empty() && partitions_.empty())
      if (auto e = assign_all()) return *e;
    SourceBatch batch;
    const auto deadline = Clock::now() + wait;
    while (batch.messages.size() < max) {
      // Wait for the first message; after it, take only what is already there.
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      const int timeout = batch.messages.empty() ? static_cast<int>(std::max<long long>(left.count(), 0)) : 0;
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout);
      if (!m) {
        if (!batch.messages.empty() || Clock::now() >= deadline) break;
        continue;
      }
      const bool reached_end = take(*m, batch);
      rd_kafka_message_destroy(m);
      if (reached_end) break;
    }
    if (batch.messages.empty() && down_ && !cluster_answers())
      return Error{ErrorKind::Upstream, "cannot read from Kafka " + describe() + ": " + last_error_};
    batch.end_of_stream = at_end();
    batch.lag = lag();
    return batch;
  }

  std::optional<Error> acknowledge(const SourceBatch& batch) override {
    if (!rk_ || settings_.group.empty()) return std::nullopt;
    std::map<std::int32_t, std::int64_t> next;
    for (const auto& m : batch.messages)
      if (m.topic == settings_.topic && m.offset >= 0)
        next[m.partition] = std::max(next[m.partition], m.offset + 1);
    if (next.empty()) return std::nullopt;
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
    for (const auto& [partition, offset] : next)
      rd_kafka_topic_partition_list_add(list.get(), settings_.topic.c_str(), partition)->offset = offset;
    // Best effort: the store's offsets are what convo resumes from; the group's are for tools.
    rd_kafka_commit(rk_, list.get(), 1);
    return std::nullopt;
  }

 private:
  struct Partition {
    bool eof = false;  // reported its end since its last message
  };

  std::optional<Error> create() {
    // Without a group librdkafka still wants a group.id; nothing joins or commits under it.
    kafka::Properties props = {{"bootstrap.servers", settings_.brokers},
                               {"group.id", settings_.group.empty() ? "convo-direct" : settings_.group},
                               {"enable.auto.commit", "false"},
                               {"enable.auto.offset.store", "false"},
                               {"enable.partition.eof", "true"},
                               {"auto.offset.reset", "earliest"},
                               // Memory stays bounded however long the stream: the prefetch queue
                               // holds at most 64 MB (librdkafka's default), in fetches of 16 MB.
                               // The group consumer counts every partition's messages against
                               // queued.min.messages in its one queue, and a fetcher that finds
                               // either bound exceeded waits a whole second (librdkafka 2.0)
                               // before it looks again: with the default 100,000 messages (about
                               // 25 MB of Rasa events) a fast reader starved for half of its run.
                               // So the byte bound is the only one that bites. -X overrides.
                               {"queued.max.messages.kbytes", "65536"},
                               {"queued.min.messages", "10000000"},
                               {"fetch.max.bytes", "16777216"}};
    for (const auto& [key, value] : settings_.properties) kafka::set_property(props, key, value);
    auto conf = kafka::make_conf(props, "-X");
    if (!conf) return conf.error();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaSource::on_rebalance);
    rd_kafka_conf_set_error_cb(conf->get(), &KafkaSource::on_error);
    rd_kafka_conf_set_offset_commit_cb(conf->get(), [](rd_kafka_t*, rd_kafka_resp_err_t,
                                                       rd_kafka_topic_partition_list_t*, void*) {});
    rd_kafka_conf_set_log_cb(conf->get(), &kafka::quiet_log);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err);
    if (!rk_) return usage_error("Kafka consumer: " + std::string(err));
    conf->release();
    rd_kafka_poll_set_consumer(rk_);
    if (settings_.group.empty()) return std::nullopt;  // assign_all() on the first poll
    PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), settings_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics.get());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
      return usage_error("Kafka topic " + settings_.topic + ": " + rd_kafka_err2str(e));
    }
    return std::nullopt;
  }

  // No group: every partition of the topic, each from its start offset. An Upstream error when
  // the cluster does not answer (the next poll tries again).
  std::optional<Error> assign_all() {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk_, settings_.topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, topic, &md, 5000);
    rd_kafka_topic_destroy(topic);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Error{ErrorKind::Upstream, "cannot read from Kafka " + describe() + ": " + rd_kafka_err2str(err)};
    std::optional<Error> problem;
    PartitionList list(rd_kafka_topic_partition_list_new(8));
    for (int t = 0; t < md->topic_cnt; ++t) {
      const auto& mt = md->topics[t];
      if (mt.err != RD_KAFKA_RESP_ERR_NO_ERROR || mt.partition_cnt == 0) {
        problem = Error{ErrorKind::Upstream, "Kafka topic " + settings_.topic + ": " +
                                                 rd_kafka_err2str(mt.err ? mt.err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)};
        continue;
      }
      for (int p = 0; p < mt.partition_cnt; ++p) {
        const std::int32_t id = mt.partitions[p].id;
        rd_kafka_topic_partition_list_add(list.get(), settings_.topic.c_str(), id)->offset = start_offset(id);
        partitions_[id] = Partition{};
      }
    }
    rd_kafka_metadata_destroy(md);
    if (problem) return problem;
    if (rd_kafka_assign(rk_, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      partitions_.clear();
      return Error{ErrorKind::Upstream, "cannot read from Kafka " + describe() + ": assignment failed"};
    }
    return std::nullopt;
  }

  // One event of the consumer: a message goes into the batch; true when this event made every
  // assigned partition report its end.
  bool take(const rd_kafka_message_t& m, SourceBatch& batch) {
    if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      down_ = false;
      auto it = partitions_.find(m.partition);
      if (it != partitions_.end()) it->second.eof = true;
      return at_end();
    }
    if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last_error_ = rd_kafka_message_errstr(&m);
      down_ = true;
      return false;
    }
    down_ = false;
    InboundMessage in;
    if (m.payload) in.body.assign(static_cast<const char*>(m.payload), m.len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
      const char* name = nullptr;
      const void* value = nullptr;
      std::size_t size = 0;
      for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                              RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i)
        in.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
    }
    in.topic = rd_kafka_topic_name(m.rkt);
    in.source = "kafka:" + in.topic;
    in.partition = m.partition;
    in.offset = m.offset;
    partitions_[m.partition].eof = false;
    resume_[m.partition] = m.offset + 1;
    batch.messages.push_back(std::move(in));
    return false;
  }

  bool at_end() const {
    if (partitions_.empty()) return false;
    for (const auto& p : partitions_)
      if (!p.second.eof) return false;
    return true;
  }

  // Messages behind the current positions, from the watermarks librdkafka already has.
  std::size_t lag() const {
    if (partitions_.empty()) return 0;
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size())));
    for (const auto& p : partitions_)
      rd_kafka_topic_partition_list_add(list.get(), settings_.topic.c_str(), p.first);
    if (rd_kafka_position(rk_, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
    std::size_t total = 0;
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (tp.offset < 0 || rd_kafka_get_watermark_offsets(rk_, tp.topic, tp.partition, &low, &high) !=
                               RD_KAFKA_RESP_ERR_NO_ERROR)
        continue;
      if (high > tp.offset) total += static_cast<std::size_t>(high - tp.offset);
    }
    return total;
  }

  // After errors with nothing read: does any broker answer now? (librdkafka reconnects itself.)
  bool cluster_answers() {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk_, 0, nullptr, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    rd_kafka_metadata_destroy(md);
    down_ = false;
    return true;
  }

  std::int64_t start_offset(std::int32_t partition) const {
    // A partition read earlier in this run (then revoked) continues where it stopped.
    if (auto it = resume_.find(partition); it != resume_.end()) return it->second;
    switch (settings_.start) {
      case KafkaStart::Beginning: return RD_KAFKA_OFFSET_BEGINNING;
      case KafkaStart::End: return RD_KAFKA_OFFSET_END;
      case KafkaStart::Stored: break;
    }
    if (settings_.stored_offset)
      if (auto stored = settings_.stored_offset(settings_.topic, partition)) return *stored;
    return RD_KAFKA_OFFSET_BEGINNING;
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      for (int i = 0; i < parts->cnt; ++i) {
        auto& tp = parts->elems[i];
        tp.offset = self->start_offset(tp.partition);
        self->partitions_[tp.partition] = Partition{};
      }
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
      }
      return;
    }
    if (cooperative) {
      for (int i = 0; i < parts->cnt; ++i) self->partitions_.erase(parts->elems[i].partition);
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
    } else {
      self->partitions_.clear();
      rd_kafka_assign(rk, nullptr);
    }
  }

  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    self->last_error_ = reason ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err));
    self->down_ = true;
  }

  KafkaSourceSettings settings_;
  rd_kafka_t* rk_ = nullptr;
  std::map<std::int32_t, Partition> partitions_;  // the current assignment
  std::map<std::int32_t, std::int64_t> resume_;   // next offset of each partition read this run
  std::string last_error_;
  bool down_ = false;  // an error since the last message or end-of-partition
};

}  // namespace

std::unique_ptr<MessageSource> make_kafka_source(KafkaSourceSettings settings) {
  return std::make_unique<KafkaSource>(std::move(settings));
}

}  // namespace convo
