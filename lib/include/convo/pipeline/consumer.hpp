// The consumer loop shared by `convo consume-kafka` and `convo consume-amqp` (brokers spec §12):
// poll a batch, write it to the sink in one transaction, then acknowledge it to the broker. A
// crash anywhere loses nothing (unacknowledged messages come back) and doubles nothing (the
// sink keeps Kafka offsets with the rows and skips events it already has).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "convo/broker/source.hpp"
#include "convo/store/ingest.hpp"

namespace convo {

struct ConsumeOptions {
  std::size_t batch = 5000;                       // messages per transaction at most
  std::chrono::milliseconds batch_wait{200};      // how long a batch may gather
  bool exit_at_end = false;                       // -e: stop once the stream has nothing more
  std::optional<std::size_t> max_messages;        // -c N: stop after N messages
  std::chrono::milliseconds min_backoff{250}, max_backoff{10000};
  // Give up (an Upstream error) when the source fails for this long without a success; unset:
  // retry for ever (--follow).
  std::optional<std::chrono::milliseconds> give_up_after;
  // Called after each committed batch, before it is acknowledged, with the number of batches
  // committed so far: the fault tests' deterministic crash point (see convo-consume-kafka(1)).
  std::function<void(std::size_t committed)> after_commit;
};

struct ConsumeProgress {
  IngestCounts counts;
  std::size_t messages = 0;  // messages taken from the source
  std::size_t lag = 0;       // as the source last reported it
  std::string state;         // "consuming", "reconnecting: <error>"
};

struct ConsumeSummary {
  IngestCounts counts;
  std::size_t messages = 0;
  std::optional<Error> error;  // a sink failure (the store), or the source gave up
};

// Runs until `stop` is set (the current batch is finished and committed first), the end of the
// stream with exit_at_end, max_messages, or a sink error. Source errors are retried with backoff
// and reported through `progress`.
ConsumeSummary run_consumer(MessageSource& source, IngestSink& sink, const ConsumeOptions& options,
                            const std::atomic<bool>& stop,
                            const std::function<void(const ConsumeProgress&)>& progress);

}  // namespace convo
