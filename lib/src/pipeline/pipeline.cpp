#include "convo/pipeline/pipeline.hpp"

#include "convo/core/event_list.hpp"
#include "convo/core/tracker_builder.hpp"

namespace convo {

Pipeline::Pipeline(std::shared_ptr<TrackerStore> store, std::shared_ptr<const Domain> domain,
                   std::unique_ptr<EventBroker> broker, std::function<void(bool, const std::string&)> log)
    : store_(store), conversations_(std::make_shared<Conversations>(std::move(store), std::move(domain))) {
  if (!broker) return;
  PublisherOptions options;
  options.log = std::move(log);
  publisher_ = std::make_unique<Publisher>(conversations_, std::move(broker), options);
  publisher_->start();
}

Pipeline::~Pipeline() { close(std::chrono::milliseconds(0)); }

Json Pipeline::broker_status() const {
  if (!publisher_) return nullptr;
  return publisher_status_json(publisher_->status());
}

std::size_t Pipeline::close(std::chrono::milliseconds flush) {
  if (!publisher_) return 0;
  std::size_t left = publisher_->stop(flush);
  publisher_.reset();
  return left;
}

Json publisher_status_json(const PublisherStatus& s) {
  Json j = {{"url", s.broker}, {"state", s.state}, {"outbox", s.outbox}, {"published", s.published}};
  if (!s.last_error.empty()) j["error"] = s.last_error;
  if (s.state == "disconnected") j["retry_in"] = s.retry_in;
  return j;
}

Result<PreparedEvents> prepare_events(const Json& given, const std::string& source, std::shared_ptr<const Domain> domain) {
  const Json events = given.is_array() ? given : Json::array({given});
  // Applying them to a fresh tracker catches what only fails on apply (unhashable slot names).
  const ParseContext ctx = system_parse_context();
  BuildReport report = inspect_events("check", events, std::move(domain), {}, ctx);
  if (!report.ok()) {
    std::string extra = report.errors.size() > 1
                            ? " (and " + std::to_string(report.errors.size() - 1) + " more; see 'convo events validate')"
                            : "";
    return runtime_error(source + ": " + report.errors.front() + extra + "; nothing was stored");
  }
  PreparedEvents out;
  for (const auto& w : report.warnings) out.warnings.push_back(source + ": " + w);
  // A fresh parse: the check above applied its events to a tracker, and events are shared objects
  // that a tracker may change (entities added to the latest message).
  out.events = parse_events(events, ctx).events;
  return out;
}

}  // namespace convo
