#include "convo/pipeline/consumer.hpp"

#include <algorithm>
#include <thread>

namespace convo {

ConsumeSummary run_consumer(MessageSource& source, IngestSink& sink, const ConsumeOptions& options,
                            const std::atomic<bool>& stop,
                            const std::function<void(const ConsumeProgress&)>& progress) {
  ConsumeSummary summary;
  ConsumeProgress report;
  auto backoff = std::chrono::milliseconds(0);
  bool failing = false;  // since failing_since, every poll failed
  std::size_t committed = 0;
  std::chrono::steady_clock::time_point failing_since{};
  auto tell = [&](const std::string& state) {
    report.state = state;
    report.counts = summary.counts;
    report.messages = summary.messages;
    if (progress) progress(report);
  };
  while (!stop.load()) {
    std::size_t want = options.batch;
    if (options.max_messages) {
      if (summary.messages >= *options.max_messages) break;
      want = std::min(want, *options.max_messages - summary.messages);
    }
    auto polled = source.poll(want, options.batch_wait);
    if (!polled && polled.error().kind == ErrorKind::Usage) {
      summary.error = polled.error();  // a bad setting (e.g. -X) does not get better by retrying
      break;
    }
    if (!polled) {
      // The broker is away: back off (interruptibly) and poll again; nothing was taken.
      auto now = std::chrono::steady_clock::now();
      if (!failing) failing_since = now;
      failing = true;
      if (options.give_up_after && now - failing_since >= *options.give_up_after) {
        summary.error = Error{ErrorKind::Upstream, polled.error().message};
        break;
      }
      backoff = std::clamp(backoff * 2, options.min_backoff, options.max_backoff);
      tell("reconnecting: " + polled.error().message);
      auto until = std::chrono::steady_clock::now() + backoff;
      while (!stop.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    failing = false;
    SourceBatch& batch = *polled;
    if (!batch.messages.empty()) {
      auto written = sink.write(batch.messages);
      if (!written) {
        summary.error = written.error();
        break;
      }
      summary.counts += *written;
      summary.messages += batch.messages.size();
      ++committed;
      if (options.after_commit) options.after_commit(committed);
      // Acknowledged only after the commit; a failed ack means redelivery, which the sink dedupes.
      if (auto err = source.acknowledge(batch)) tell("acknowledging failed: " + err->message);
    }
    report.lag = batch.lag;
    tell("consuming");
    if (options.exit_at_end && batch.end_of_stream) break;
  }
  return summary;
}

}  // namespace convo
