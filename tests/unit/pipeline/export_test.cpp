// run_export: rasa export's loop over a real store and a real file broker, its window and resume
// point, and a broker that stops confirming part way (a fault injected at a chosen message).
#include <catch2/catch.hpp>

#include <fstream>

#include "../store/test_db.hpp"
#include "convo/core/event_list.hpp"
#include "convo/pipeline/export.hpp"

using namespace convo;
using convo::test::TempDir;

namespace {

std::shared_ptr<TrackerStore> store_with(const std::vector<std::pair<std::string, int>>& conversations) {
  auto store = open_store("memory:", StoreAccess::ReadWrite);
  REQUIRE(store.ok());
  for (const auto& [id, n] : conversations) {
    Json events = Json::array();
    for (int i = 0; i < n; ++i) events.push_back({{"event", "slot"}, {"timestamp", 100 + i}, {"name", "n"}, {"value", i}});
    REQUIRE_FALSE((*store)->append(id, parse_events(events, system_parse_context()).events).has_value());
  }
  return std::shared_ptr<TrackerStore>(std::move(*store));
}

std::unique_ptr<EventBroker> file_broker(const std::string& path) {
  std::vector<std::string> warnings;
  auto broker = open_broker(Json{{"type", "file"}, {"path", path}}, BrokerOptions{"endpoints.yml", {}}, warnings);
  REQUIRE(broker.ok());
  return std::move(*broker);
}

std::vector<Json> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

// Confirms the first `budget` messages of all publishes, then refuses (the fault).
class RefusingBroker final : public EventBroker {
 public:
  explicit RefusingBroker(std::size_t budget) : budget_(budget) {}
  std::string describe() const override { return "refusing"; }
  std::optional<Error> connect() override { return std::nullopt; }
  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult r;
    r.confirmed = std::min(budget_, batch.size());
    budget_ -= r.confirmed;
    if (r.confirmed < batch.size()) r.error = Error{ErrorKind::Upstream, "broker refused"};
    return r;
  }
  void close() override {}

 private:
  std::size_t budget_;
};

}  // namespace

TEST_CASE("export: every stored event, per conversation in order, with one export id", "[pipeline][export]") {
  TempDir dir;
  const std::string path = (dir.path / "out.log").string();
  auto store = store_with({{"a", 3}, {"b", 2}});
  auto broker = file_broker(path);
  ExportRequest request;
  request.batch = 2;
  ExportReport report = run_export(*store, *broker, request, system_parse_context());
  REQUIRE_FALSE(report.error.has_value());
  CHECK(report.conversations == 2);
  CHECK(report.events == 5);
  CHECK(report.published == 5);
  auto lines = lines_of(path);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0]["sender_id"] == "a");
  CHECK(lines[2]["value"] == 2);
  CHECK(lines[3]["sender_id"] == "b");
}

TEST_CASE("export: time window, chosen conversations, dry run", "[pipeline][export]") {
  TempDir dir;
  const std::string path = (dir.path / "out.log").string();
  auto store = store_with({{"a", 5}, {"b", 5}});
  auto broker = file_broker(path);
  ExportRequest request;
  request.since = 101;
  request.until = 103;  // [101, 103)
  request.conversation_ids = {"b", "zed"};
  request.dry_run = true;
  ExportReport report = run_export(*store, *broker, request, system_parse_context());
  REQUIRE_FALSE(report.error.has_value());
  CHECK(report.conversations == 1);
  CHECK(report.events == 2);
  CHECK(report.published == 0);
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0].find("'zed'") != std::string::npos);
  CHECK(lines_of(path).empty());
}

TEST_CASE("export: a broker failure gives the point to resume from, and the resume finishes exactly", "[pipeline][export]") {
  TempDir dir;
  auto store = store_with({{"a", 3}, {"b", 4}});
  RefusingBroker refusing(5);
  ExportRequest request;
  request.batch = 2;
  ExportReport failed = run_export(*store, refusing, request, system_parse_context());
  REQUIRE(failed.error.has_value());
  CHECK(failed.error->kind == ErrorKind::Upstream);
  CHECK(failed.published == 5);
  CHECK(failed.failed_conversation == "b");
  CHECK(failed.failed_done == 2);

  const std::string path = (dir.path / "rest.log").string();
  auto broker = file_broker(path);
  ExportRequest resume = request;
  resume.resume_id = failed.failed_conversation;
  resume.resume_skip = failed.failed_done;
  ExportReport rest = run_export(*store, *broker, resume, system_parse_context());
  REQUIRE_FALSE(rest.error.has_value());
  auto lines = lines_of(path);
  REQUIRE(lines.size() == 2);  // 5 + 2 = all 7, none twice
  CHECK(lines[0]["sender_id"] == "b");
  CHECK(lines[0]["value"] == 2);
}

TEST_CASE("export: refusals before anything is published", "[pipeline][export]") {
  RefusingBroker never(0);
  ExportRequest request;
  auto empty = open_store("memory:", StoreAccess::ReadWrite);
  REQUIRE(empty.ok());
  ExportReport none = run_export(**empty, never, request, system_parse_context());
  REQUIRE(none.error.has_value());
  CHECK(none.error->message.find("holds no conversations") != std::string::npos);
  auto store = store_with({{"a", 1}});
  request.since = 5;
  request.until = 4;
  ExportReport backwards = run_export(*store, never, request, system_parse_context());
  REQUIRE(backwards.error.has_value());
  CHECK(backwards.error->kind == ErrorKind::Usage);
}

TEST_CASE("export: --resume-after ID:N", "[pipeline][export]") {
  auto ok = parse_resume_point("conv:with:colons:12");
  REQUIRE(ok.ok());
  CHECK(ok->first == "conv:with:colons");
  CHECK(ok->second == 12);
  for (const char* bad : {"alice", "alice:", "alice:x", "alice:-1", "alice:1.5"}) {
    INFO(bad);
    auto r = parse_resume_point(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
  }
}
