// Where consumers put what they receive (brokers spec §12): Rasa rows in a SQLite store, exactly
// once, or NDJSON on a stream.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/broker_message.hpp"
#include "convo/core/error.hpp"

namespace convo {

struct IngestCounts {
  std::size_t stored = 0;      // new events written
  std::size_t duplicates = 0;  // events already stored (same digest), skipped
  std::size_t malformed = 0;   // messages rejected to the dead letters
  IngestCounts& operator+=(const IngestCounts& o) {
    stored += o.stored; duplicates += o.duplicates; malformed += o.malformed;
    return *this;
  }
};

class IngestSink {
 public:
  virtual ~IngestSink() = default;
  virtual std::string describe() const = 0;
  // Writes the batch in one transaction: each valid event as a Rasa `events` row unless an
  // event with the same digest (sender_id + canonical event JSON) is already stored; each
  // malformed message as a dead letter with its reason; the batch's Kafka offsets. All of it
  // or nothing: on error nothing of the batch is stored.
  virtual Result<IngestCounts> write(const std::vector<InboundMessage>& batch) = 0;
  // The next Kafka offset to read for a partition, as committed by write(); nullopt if none.
  virtual Result<std::optional<std::int64_t>> stored_offset(const std::string& topic,
                                                            std::int32_t partition) = 0;
  // The database file this sink created (it did not exist before): a run that fails before
  // storing anything removes it, so a failed start leaves nothing behind. Empty otherwise.
  virtual std::string created_file() const { return ""; }
};

struct IngestOptions {
  std::string dead_letter_file;  // append malformed messages here (NDJSON) instead of the table
  // Where a sink without a dead-letter place reports what it rejects (the library never prints:
  // the CLI passes its warning printer). Null: not reported beyond the counts.
  std::function<void(const std::string&)> warn;
};

// A SQLite database in Rasa's schema (created when missing) plus convo's side tables:
// convo_ingest (digests and source coordinates), convo_kafka_offsets, convo_dead_letters.
// `url` as open_store (sqlite:///path or a path); other stores are a Usage error.
Result<std::unique_ptr<IngestSink>> open_sqlite_ingest(const std::string& url, const IngestOptions& options);

// Writes each valid event as its broker body (sender_id first) on one line of `out`, flushed
// per batch; malformed messages go to the dead-letter file, or to options.warn.
// No deduplication across runs and no stored offsets.
std::unique_ptr<IngestSink> make_ndjson_sink(std::FILE* out, const IngestOptions& options);

}  // namespace convo
