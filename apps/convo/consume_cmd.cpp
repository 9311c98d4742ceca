// convo consume-kafka / consume-amqp: a Rasa event stream into a SQLite store (Rasa's schema)
// or NDJSON, exactly once into the store (pipeline/consumer.hpp; brokers spec §12).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "convo/broker/amqp.hpp"
#include "convo/broker/kafka.hpp"
#include "convo/pipeline/consumer.hpp"
#include "convo/io/signals.hpp"
#include "convo/render/progress.hpp"

namespace convo::cli {
namespace {

enum class Sink { Auto, Json, Table, Ndjson };

struct ConsumeCommon {
  std::string store;
  std::string dead_letter;
  Sink output = Sink::Auto;
  bool exit_at_end = false, follow = false;
  std::optional<std::size_t> count;
  std::size_t batch = 20000;
  std::string batch_wait = "200ms";
  std::string retry_for = "30s";
};

struct KafkaOptions {
  std::string brokers, topic, group, offset = "stored";
  std::vector<std::string> properties;
  ConsumeCommon common;
};

struct AmqpOptions {
  std::string url = "amqp://guest:guest@localhost:5672/", queue = "rasa_core_events", exchange;
  // As many as a batch: with 1,000 a batch was capped at 1,000 messages, so the store committed
  // 20 times as often and RabbitMQ waited on every commit (13.3 s for 200k events against 8.2 s).
  std::uint16_t prefetch = 20000;
  ConsumeCommon common;
};

void add_common(CLI::App& cmd, ConsumeCommon& c) {
  cmd.add_option("--store", c.store,
                 "SQLite store to fill, in Rasa's schema (default: $CONVO_STORE, else sqlite:///rasa.db)")
      ->type_name("URL");
  cmd.add_option("-o,--output", c.output,
                 "ndjson: the events on stdout instead of a store; json or table: the summary's format "
                 "(default: table on a terminal, json otherwise)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Sink>{{"json", Sink::Json},
                                                                     {"table", Sink::Table},
                                                                     {"ndjson", Sink::Ndjson}},
                                          CLI::ignore_case)
                      .description(""))
      ->type_name("json|table|ndjson");
  cmd.add_flag("-e,--exit-at-end", c.exit_at_end, "Exit once the stream has nothing more to read");
  cmd.add_flag("--follow", c.follow, "Keep waiting for new messages (the default)");
  cmd.add_option("-c,--count", c.count, "Stop after N messages")->check(CLI::PositiveNumber)->type_name("N");
  cmd.add_option("--dead-letter", c.dead_letter,
                 "Append malformed messages (with the reason) to this NDJSON file instead of the "
                 "store's convo_dead_letters table")
      ->type_name("FILE");
  cmd.add_option("--retry-for", c.retry_for, "With -e: how long an unreachable broker is retried before exit 5")
      ->capture_default_str()
      ->type_name("DURATION");
  cmd.add_option("--batch", c.batch, "Messages per store transaction at most")->capture_default_str()->check(CLI::PositiveNumber)->type_name("N");
  cmd.add_option("--batch-wait", c.batch_wait, "How long a batch may gather before it is committed")
      ->capture_default_str()
      ->type_name("DURATION");
}

int consume(MessageSource& source, const ConsumeCommon& c, std::unique_ptr<IngestSink>& owned, const StopSignals& signals) {
  IngestSink& sink = *owned;
  auto wait = duration_option("--batch-wait", c.batch_wait);
  if (!wait) return report(wait.error());
  if (c.batch == 0) return report(usage_error("--batch: must be at least 1"));
  ConsumeOptions options;
  options.batch = c.batch;
  options.batch_wait = std::chrono::milliseconds(static_cast<long long>(*wait * 1000));
  options.exit_at_end = c.exit_at_end && !c.follow;
  options.max_messages = c.count;
  // With -e a broker that stays unreachable ends the run (exit 5) instead of waiting for ever.
  auto retry = duration_option("--retry-for", c.retry_for);
  if (!retry) return report(retry.error());
  if (options.exit_at_end) options.give_up_after = std::chrono::milliseconds(static_cast<long long>(*retry * 1000));
  // Fault tests: CONVO_FAULT_KILL_AFTER_BATCHES=N kills the process (SIGKILL) right after its Nth
  // committed batch, before that batch is acknowledged, the worst moment for exactly-once.
  if (const char* n = std::getenv("CONVO_FAULT_KILL_AFTER_BATCHES"); n && *n) {
    const std::size_t after = std::strtoul(n, nullptr, 10);
    options.after_commit = [after](std::size_t committed) {
      if (committed >= after) raise(SIGKILL);
    };
  }
  ProgressLine line(STDERR_FILENO);
  std::string state;
  ConsumeSummary summary = run_consumer(source, sink, options, signals.flag(), [&](const ConsumeProgress& p) {
    line.update(fmt::format("{} stored  {} duplicates  {} malformed  lag {}  {}", p.counts.stored, p.counts.duplicates,
                            p.counts.malformed, p.lag, p.state),
                p.state == "consuming" ? Tone::Dim : Tone::Warn, p.state != state);
    state = p.state;
  });
  line.clear();
  const auto& n = summary.counts;
  Json json = {{"source", source.describe()}, {"sink", sink.describe()},  {"messages", summary.messages},
               {"stored", n.stored},          {"duplicates", n.duplicates}, {"malformed", n.malformed}};
  bool as_json = c.output == Sink::Json || (c.output == Sink::Auto && isatty(STDOUT_FILENO) != 1);
  // With NDJSON the events own stdout: the summary goes to stderr.
  std::ostream& out = c.output == Sink::Ndjson ? std::cerr : std::cout;
  if (as_json) out << dump_compact(json) << "\n";
  else
    out << fmt::format("{} messages from {}: {} events {}, {} duplicates skipped, {} malformed rejected ({})\n",
                       summary.messages, source.describe(), n.stored, c.output == Sink::Ndjson ? "written" : "stored",
                       n.duplicates, n.malformed, sink.describe());
  if (summary.error) {
    // A run that failed before storing anything removes the database its sink created (and the
    // WAL files next to it): a failed start leaves nothing behind.
    const std::string created = sink.created_file();
    if (!created.empty() && summary.messages == 0 && n.stored + n.duplicates + n.malformed == 0) {
      owned.reset();
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((created + suffix).c_str());
    }
    return report(*summary.error);
  }
  return kOk;
}

Result<std::unique_ptr<IngestSink>> open_sink(const ConsumeCommon& c) {
  IngestOptions options;
  options.dead_letter_file = c.dead_letter;
  options.warn = [](const std::string& line) { warn(line); };
  if (c.output == Sink::Ndjson) {
    if (!c.store.empty()) return usage_error("give either --store or -o ndjson, not both");
    return make_ndjson_sink(stdout, options);
  }
  return open_sqlite_ingest(c.store.empty() ? default_store_url() : c.store, options);
}

int run_kafka(const KafkaOptions& opt) {
  StopSignals signals;  // before librdkafka starts its threads
  auto sink = open_sink(opt.common);
  if (!sink) return report(sink.error());
  KafkaSourceSettings settings;
  settings.brokers = opt.brokers;
  settings.topic = opt.topic;
  settings.group = opt.group;
  settings.start = opt.offset == "beginning" ? KafkaStart::Beginning
                   : opt.offset == "end"     ? KafkaStart::End
                                             : KafkaStart::Stored;
  for (const auto& kv : opt.properties) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return report(usage_error("-X: expected key=value, got '" + kv + "'"));
    settings.properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  IngestSink* target = sink->get();
  settings.stored_offset = [target](const std::string& topic, std::int32_t partition) -> std::optional<std::int64_t> {
    auto offset = target->stored_offset(topic, partition);
    return offset ? *offset : std::nullopt;
  };
  auto source = make_kafka_source(std::move(settings));
  return consume(*source, opt.common, *sink, signals);
}

int run_amqp(const AmqpOptions& opt) {
  StopSignals signals;
  auto address = parse_amqp_url(opt.url);
  if (!address) return report(address.error());
  auto sink = open_sink(opt.common);
  if (!sink) return report(sink.error());
  AmqpSourceSettings settings;
  settings.address = *address;
  settings.queue = opt.queue;
  settings.exchange = opt.exchange;
  settings.prefetch = opt.prefetch;
  auto source = make_amqp_source(std::move(settings));
  // The broker sends at most `prefetch` unacknowledged messages, and a batch is acknowledged
  // only after its commit: a larger batch would only wait out --batch-wait every time.
  ConsumeCommon common = opt.common;
  if (opt.prefetch > 0) common.batch = std::min<std::size_t>(common.batch, opt.prefetch);
  return consume(*source, common, *sink, signals);
}

const char* const kCommonHelp =
    "Every event is stored once: Kafka offsets are committed in the same SQLite transaction as the\n"
    "events, AMQP messages are acknowledged after it, and an event already stored (same conversation\n"
    "and content) is skipped. Malformed messages are counted and kept in convo_dead_letters (or\n"
    "--dead-letter FILE), never in the events table. SIGINT/SIGTERM finish the current batch and exit 0.";

}  // namespace

void setup_consume_kafka(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<KafkaOptions>();
  CLI::App* cmd = app.add_subcommand("consume-kafka", "Store a Rasa event stream from Kafka for offline replay");
  set_examples(*cmd, {"convo consume-kafka --brokers localhost:9092 --topic rasa_core_events -e",
      "convo consume-kafka --brokers k1:9093,k2:9093 --topic events --store sqlite:///replay.db \\",
      "    -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512",
      "convo consume-kafka --brokers localhost:9092 --topic events -o ndjson -c 100 | jq .event",
      "convo tracker get alice --store sqlite:///rasa.db   # replay what was consumed"}, kCommonHelp);
  cmd->add_option("--brokers", opt->brokers, "Kafka bootstrap servers (host:port,...)")->required()->type_name("LIST");
  cmd->add_option("--topic", opt->topic, "Topic Rasa publishes to")->required()->type_name("TOPIC");
  cmd->add_option("--group", opt->group,
                  "Join this consumer group (instances share the partitions; offsets are also committed to "
                  "the group for lag tools); default: no group, every partition is read")
      ->type_name("GROUP");
  cmd->add_option("--offset", opt->offset,
                  "Where to start: stored (the store's committed offsets, else the beginning), beginning or end")
      ->capture_default_str()
      ->check(CLI::IsMember({"beginning", "end", "stored"}).description(""))
      ->type_name("beginning|end|stored");
  cmd->add_option("-X", opt->properties, "A librdkafka consumer property (repeatable)")->type_name("KEY=VALUE");
  add_common(*cmd, opt->common);
  cmd->callback([opt, &exit_code] { exit_code = run_kafka(*opt); });
}

void setup_consume_amqp(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<AmqpOptions>();
  CLI::App* cmd = app.add_subcommand("consume-amqp", "Store a Rasa event stream from RabbitMQ for offline replay");
  set_examples(*cmd, {"convo consume-amqp --url amqp://guest:guest@localhost:5672/ --queue rasa_core_events -e",
      "convo consume-amqp --url amqps://rasa:pw@mq.internal/prod --queue convo_copy \\",
      "    --exchange rasa-exchange --store sqlite:///replay.db",
      "convo consume-amqp --queue rasa_core_events -o ndjson -c 10"}, std::string("With --exchange the queue is declared and bound to Rasa's fanout exchange, so it\n"
      "receives its own copy of every event published from then on.\n\n") + kCommonHelp);
  cmd->add_option("--url", opt->url, "amqp[s]://user:password@host:port/vhost")->capture_default_str()->type_name("URL");
  cmd->add_option("--queue", opt->queue, "Queue to consume (declared durable, as Rasa declares it)")
      ->capture_default_str()
      ->type_name("QUEUE");
  cmd->add_option("--exchange", opt->exchange, "Bind the queue to this fanout exchange (e.g. rasa-exchange)")
      ->type_name("EXCHANGE");
  cmd->add_option("--prefetch", opt->prefetch, "Unacknowledged messages the broker may send ahead")
      ->capture_default_str()
      ->type_name("N");
  add_common(*cmd, opt->common);
  cmd->callback([opt, &exit_code] { exit_code = run_amqp(*opt); });
}

}  // namespace convo::cli
