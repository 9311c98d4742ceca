#include "convo/pipeline/export.hpp"

#include <algorithm>
#include <set>

#include "convo/core/broker_message.hpp"
#include "convo/core/event_list.hpp"

namespace convo {

Result<std::pair<std::string, std::size_t>> parse_resume_point(const std::string& text) {
  auto colon = text.rfind(':');
  const std::string digits = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
    return usage_error("--resume-after: expected CONVERSATION:N, got '" + text + "'");
  return std::make_pair(text.substr(0, colon), static_cast<std::size_t>(std::stoull(digits)));
}

ExportReport run_export(TrackerStore& store, EventBroker& broker, const ExportRequest& request, const ParseContext& ctx) {
  ExportReport report;
  report.export_id = ctx.new_uuid();
  report.export_id.erase(std::remove(report.export_id.begin(), report.export_id.end(), '-'), report.export_id.end());
  auto fail = [&](Error error) {
    report.error = std::move(error);
    return report;
  };
  if (request.since && request.until && *request.until < *request.since)
    return fail(usage_error("--until must not be before --since"));
  auto listed = store.list(ListOptions{});
  if (!listed) return fail(listed.error());
  std::vector<std::string> ids;
  for (const auto& c : *listed) ids.push_back(c.sender_id);
  if (ids.empty()) return fail(runtime_error("the store " + store.describe() + " holds no conversations"));
  if (!request.conversation_ids.empty()) {
    std::set<std::string> wanted(request.conversation_ids.begin(), request.conversation_ids.end());
    std::set<std::string> present(ids.begin(), ids.end());
    for (const auto& id : wanted)
      if (!present.count(id)) report.warnings.push_back("conversation '" + id + "' is not in the store; skipped");
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](const std::string& id) { return !wanted.count(id); }), ids.end());
    if (ids.empty()) return fail(runtime_error("none of the requested conversations is in the store"));
  }
  if (!request.resume_id.empty()) ids.erase(ids.begin(), std::lower_bound(ids.begin(), ids.end(), request.resume_id));
  if (!request.dry_run)
    if (auto err = broker.connect()) return fail(*err);

  for (const auto& id : ids) {
    LoadOptions load;
    load.all_sessions = true;
    load.since = request.since;
    load.before = request.until;
    auto conv = store.load(id, load);
    if (!conv) return fail(conv.error());
    if (!conv->has_value()) continue;
    for (const auto& w : (**conv).warnings) report.warnings.push_back(id + ": " + w);
    ParsedEvents parsed = parse_events(std::move((**conv).events), ctx);
    for (const auto& e : parsed.errors) report.warnings.push_back(id + ": " + e + "; skipped");
    const std::size_t skip = id == request.resume_id ? std::min(request.resume_skip, parsed.events.size()) : 0;
    if (parsed.events.size() > skip) ++report.conversations;
    std::vector<BrokerMessage> batch;
    for (std::size_t i = skip; i < parsed.events.size(); ++i) {
      ++report.events;
      if (request.dry_run) continue;
      batch.push_back({id, broker_body(id, *parsed.events[i], BodyOrder::Export), {{kExportHeader, report.export_id}}});
      if (batch.size() < std::max<std::size_t>(request.batch, 1) && i + 1 < parsed.events.size()) continue;
      PublishResult result = broker.publish(batch);
      report.published += result.confirmed;
      if (result.error) {
        report.failed_conversation = id;
        report.failed_done = i + 1 - batch.size() + result.confirmed;
        return fail(*result.error);
      }
      batch.clear();
    }
  }
  broker.close();
  if (report.events == 0) return fail(runtime_error("no events in the selected conversations and time range"));
  return report;
}

}  // namespace convo
