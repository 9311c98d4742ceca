// `convo export` (rasa export, brokers spec §11): stored events to an event broker, streamed per
// conversation in stored order with the time window evaluated by the store, every message of a run
// carrying one rasa-export-process-id header, and only confirmed messages counted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "convo/broker/broker.hpp"
#include "convo/core/event.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo {

struct ExportRequest {
  std::vector<std::string> conversation_ids;  // empty: every conversation in the store
  std::optional<double> since, until;         // timestamp >= since, < until
  std::string resume_id;                      // skip conversations before it ...
  std::size_t resume_skip = 0;                // ... and its first N events
  bool dry_run = false;                       // count only
  std::size_t batch = 500;                    // messages per confirmed publish
};

struct ExportReport {
  std::string export_id;
  std::size_t conversations = 0, events = 0, published = 0;
  std::vector<std::string> warnings;  // skipped conversations and events
  std::optional<Error> error;         // why the export stopped (Upstream: the broker)
  // With an error from the broker: where to resume (conversation id, events of it published).
  std::string failed_conversation;
  std::size_t failed_done = 0;
};

// "ID:N" of --resume-after; a Usage error otherwise.
Result<std::pair<std::string, std::size_t>> parse_resume_point(const std::string& text);

ExportReport run_export(TrackerStore& store, EventBroker& broker, const ExportRequest& request,
                        const ParseContext& ctx);

}  // namespace convo
