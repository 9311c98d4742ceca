// Building a tracker from a JSON event list: the one path every command and the server use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/event_list.hpp"
#include "convo/core/tracker.hpp"

namespace convo {

struct BuildOptions {
  std::optional<std::size_t> max_event_history;
  std::optional<double> until;  // Rasa's travel_back_in_time: stop at the first later event
  bool autofill = false;        // the processor's path: user/entities events auto-fill slots
};

struct BuildReport {
  std::unique_ptr<Tracker> tracker;   // always set: built from what could be used
  std::vector<std::string> warnings;  // items skipped, as Rasa skips them
  std::vector<std::string> errors;    // what makes Rasa refuse the list; building stopped at the
                                      // first error raised while applying
  bool ok() const { return errors.empty(); }
};

// Parses and applies every event, collecting all problems instead of stopping at the first
// (for `events validate` and inspection). The tracker holds what Rasa would hold had it skipped
// the unparsable items.
BuildReport inspect_events(const std::string& sender_id, const Json& events,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx);

// The same over event texts (stored rows): decoded without a DOM where they are in Rasa's form.
BuildReport inspect_events(const std::string& sender_id, EventTexts events,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx);

// The same over what parse_events (or an EventListParser) gave.
BuildReport inspect_events(const std::string& sender_id, ParsedEvents parsed,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx);

// All-or-nothing, as Rasa loads a stored tracker: the first problem is the error.
Result<std::unique_ptr<Tracker>> tracker_or_first_problem(BuildReport report);
// inspect_events, all-or-nothing: over any of its inputs (JSON, event texts, parsed events).
template <typename Events>
Result<std::unique_ptr<Tracker>> build_tracker(const std::string& sender_id, Events&& events,
                                               std::shared_ptr<const Domain> domain,
                                               const BuildOptions& options, const ParseContext& ctx) {
  return tracker_or_first_problem(
      inspect_events(sender_id, std::forward<Events>(events), std::move(domain), options, ctx));
}

}  // namespace convo
