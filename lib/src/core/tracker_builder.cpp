#include "convo/core/tracker_builder.hpp"

namespace convo {
namespace {

// Rasa's travel_back_in_time compares with `<=` and stops at the first later event.
bool after_cutoff(const Event& e, const std::optional<double>& until) {
  if (!until) return false;
  const Json& ts = e.timestamp();
  return !ts.is_number() || ts.get<double>() > *until;
}

}  // namespace

namespace {

// Applies what parse_events gave; `label(i)` names source item i in a problem line.
template <typename Label>
BuildReport apply_parsed(const std::string& sender_id, ParsedEvents parsed, Label label,
                         std::shared_ptr<const Domain> domain, const BuildOptions& options,
                         const ParseContext& ctx) {
  BuildReport report;
  report.tracker = std::make_unique<Tracker>(sender_id, std::move(domain), options.max_event_history);
  report.warnings = std::move(parsed.warnings);
  report.errors = std::move(parsed.errors);
  for (std::size_t i = 0; i < parsed.events.size(); ++i) {
    const EventPtr& e = parsed.events[i];
    if (after_cutoff(*e, options.until)) break;
    auto err = options.autofill ? report.tracker->update_with_autofill(e, ctx.now())
                                : report.tracker->update(e);
    if (err) {
      report.errors.push_back(label(parsed.source_index[i]) + ": " + err->message);
      break;  // Rasa's apply raised: nothing after this event can be trusted
    }
  }
  return report;
}

}  // namespace

BuildReport inspect_events(const std::string& sender_id, const Json& events,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx) {
  auto label = [&](std::size_t i) { return item_label(i, events[i]); };
  return apply_parsed(sender_id, parse_events(events, ctx), label, std::move(domain), options, ctx);
}

BuildReport inspect_events(const std::string& sender_id, EventTexts events,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx) {
  return inspect_events(sender_id, parse_events(std::move(events), ctx), std::move(domain), options, ctx);
}

BuildReport inspect_events(const std::string& sender_id, ParsedEvents parsed,
                           std::shared_ptr<const Domain> domain, const BuildOptions& options,
                           const ParseContext& ctx) {
  // The texts are in the events now: a problem names the item by its event's serialised type.
  auto label = [&](std::size_t i) {
    for (std::size_t k = 0; k < parsed.source_index.size(); ++k)
      if (parsed.source_index[k] == i) return item_label(i, parsed.events[k]->data());
    return item_label(i, Json());
  };
  return apply_parsed(sender_id, std::move(parsed), label, std::move(domain), options, ctx);
}

Result<std::unique_ptr<Tracker>> tracker_or_first_problem(BuildReport report) {
  if (!report.ok()) {
    std::string message = report.errors.front();
    if (report.errors.size() > 1)
      message += " (and " + std::to_string(report.errors.size() - 1) + " more problem" +
                 (report.errors.size() > 2 ? "s" : "") + ")";
    return runtime_error(message);
  }
  return std::move(report.tracker);
}

}  // namespace convo
