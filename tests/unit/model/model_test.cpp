// The model layer: archives (libarchive), project validation, packing, and the pull protocol
// against tests/support/model_server.py over loopback.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convo/model/archive.hpp"
#include "convo/model/project.hpp"
#include "convo/model/pull.hpp"
#include "../temp_dir.hpp"

using namespace convo;
using convo::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kDomain =
    "version: \"2.0\"\n"        // 1
    "intents:\n"                // 2
    "  - greet\n"               // 3
    "  - bye\n"                 // 4
    "entities:\n"               // 5
    "  - name\n"                // 6
    "slots:\n"                  // 7
    "  name:\n"                 // 8
    "    type: text\n"          // 9
    "responses:\n"              // 10
    "  utter_hi:\n"             // 11
    "    - text: hi\n"          // 12
    "actions:\n"                // 13
    "  - action_custom\n";      // 14

const char* kConfig = "language: en\npipeline:\n  - name: WhitespaceTokenizer\npolicies:\n  - name: RulePolicy\n";
const char* kNlu = "version: \"2.0\"\nnlu:\n  - intent: greet\n    examples: |\n      - hi\n      - hello\n"
                   "  - intent: bye\n    examples: |\n      - bye\n";
const char* kStories = "version: \"2.0\"\nstories:\n  - story: s\n    steps:\n      - intent: greet\n      - action: utter_hi\n";
const char* kRules = "version: \"2.0\"\nrules:\n  - rule: r\n    steps:\n      - intent: bye\n      - action: action_custom\n";

std::vector<ProjectFile> good_project() {
  return {{"domain.yml", kDomain}, {"config.yml", kConfig}, {"data/nlu.yml", kNlu},
          {"data/rules.yml", kRules}, {"data/stories.yml", kStories}};
}

bool has(const std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list)
    if (s.find(text) != std::string::npos) return true;
  return false;
}

// tests/support/model_server.py on a free port, serving `dir`, logging requests to `log`.
struct ModelServerProcess {
  pid_t pid = -1;
  int port = 0;
  ModelServerProcess(const std::string& dir, const std::string& log) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::string script = std::string(CONVO_SOURCE_DIR) + "/tests/support/model_server.py";
      execl("/usr/bin/python3", "python3", script.c_str(), dir.c_str(), "--log", log.c_str(), (char*)nullptr);
      _exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    REQUIRE(std::fscanf(out, "%d", &port) == 1);
    std::fclose(out);
  }
  ~ModelServerProcess() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::string url(const std::string& rest) const { return "http://127.0.0.1:" + std::to_string(port) + "/models/" + rest; }
};

std::vector<Json> log_lines(const std::string& log) {
  std::vector<Json> out;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) out.push_back(Json::parse(line));
  return out;
}

ModelServer server_for(const std::string& url) {
  auto s = model_server_from_json(Json{{"url", url}}, "test");
  REQUIRE(s);
  return *s;
}

}  // namespace

TEST_CASE("tar.gz archives round trip and damaged ones are refused", "[model]") {
  TempDir dir;
  std::string big(300000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) % 251);
  REQUIRE(write_tar_gz(dir / "a.tar.gz", {{"one.txt", "1"}, {"data/big.bin", big}}, 1600000000));
  auto all = read_tar_gz(dir / "a.tar.gz", [](const std::string&) { return true; });
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK(all->at(0).name == "one.txt");
  CHECK(all->at(1).data == big);
  auto names_only = read_tar_gz(dir / "a.tar.gz");
  REQUIRE(names_only);
  CHECK(names_only->at(1).data.empty());

  std::string bytes = slurp(dir / "a.tar.gz");
  spit(dir / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  CHECK_FALSE(read_tar_gz(dir / "cut.tar.gz"));
  spit(dir / "text.tar.gz", "just some text, not an archive\n");
  CHECK_FALSE(read_tar_gz(dir / "text.tar.gz"));
  CHECK_FALSE(read_tar_gz(dir / "missing.tar.gz"));

  REQUIRE(write_tar_gz(dir / "evil.tar.gz", {{"../evil.txt", "x"}}, 0));
  auto evil = read_tar_gz(dir / "evil.tar.gz");
  REQUIRE_FALSE(evil);
  CHECK_THAT(evil.error().message, Contains("unsafe"));
  CHECK_FALSE(fs::exists(dir / ".evil.tar.gz.part"));
}

TEST_CASE("a valid project validates and counts its blocks", "[model]") {
  ProjectReport report = validate_project(good_project());
  INFO((report.errors.empty() ? "" : report.errors.front()));
  CHECK(report.ok());
  CHECK(report.stories == 1);
  CHECK(report.rules == 1);
  CHECK(report.nlu_examples == 3);
  REQUIRE(report.domain);
}

TEST_CASE("project errors name file, line and problem", "[model]") {
  auto files = good_project();
  files[4].text =
      "version: \"2.0\"\n"            // 1
      "stories:\n"                    // 2
      "  - story: bad\n"              // 3
      "    steps:\n"                  // 4
      "      - intent: grete\n"       // 5
      "      - action: utter_nope\n"  // 6
      "      - action: act_nope\n"    // 7
      "      - slot_was_set:\n"       // 8
      "          - colour: red\n"     // 9
      "      - active_loop: f\n"      // 10
      "      - intent: greet\n"       // 11
      "        entities:\n"           // 12
      "          - city\n"            // 13
      "      - dance: now\n";         // 14
  files[0].text = std::string(kDomain) + "  - utter_lonely\n";  // line 15
  ProjectReport r = validate_project(files, "bot/");
  CHECK(has(r.errors, "bot/data/stories.yml:5: story 'bad': intent 'grete' is not in the domain"));
  CHECK(has(r.errors, "bot/data/stories.yml:6: story 'bad': action 'utter_nope' has no response"));
  CHECK(has(r.errors, "bot/data/stories.yml:7: story 'bad': action 'act_nope' is not in the domain"));
  CHECK(has(r.errors, "bot/data/stories.yml:9: story 'bad': slot 'colour' is not in the domain"));
  CHECK(has(r.errors, "bot/data/stories.yml:10: story 'bad': form 'f' is not in the domain"));
  CHECK(has(r.errors, "bot/data/stories.yml:13: story 'bad': entity 'city' is not in the domain"));
  CHECK(has(r.errors, "bot/data/stories.yml:14: story 'bad': unknown step key 'dance'"));
  CHECK(has(r.errors, "bot/domain.yml:15: action 'utter_lonely' has no response"));
  CHECK(r.errors.size() == 8);
}

TEST_CASE("project files: YAML, versions, missing files, NLU intents", "[model]") {
  auto files = good_project();
  files[2].text = "version: 2.0\nnlu:\n  - intent: order\n    examples: |\n      - pizza\n";
  files[3].text = "version: \"3.0\"\nrules: [\n";
  ProjectReport r = validate_project(files);
  CHECK(has(r.errors, "data/nlu.yml:1: 'version' must be a string"));
  CHECK(has(r.errors, "data/nlu.yml:3: intent 'order' has examples but is not in the domain"));
  CHECK(has(r.errors, "data/rules.yml:"));
  CHECK(has(r.errors, "invalid YAML"));

  files = good_project();
  files[3].text = "version: \"3.1\"\nrules: []\n";
  CHECK(has(validate_project(files).errors, "data/rules.yml:1: version \"3.1\" is not supported"));

  files = good_project();
  files.erase(files.begin() + 1);
  CHECK(has(validate_project(files).errors, "config.yml: missing"));

  files = good_project();
  files[1].text = "language: en\npolicies:\n  - max_history: 5\n";
  CHECK(has(validate_project(files).errors, "config.yml:3: policies item 1 needs a 'name'"));
}

TEST_CASE("pack_model: the fingerprint is a hash of the inputs; the archive loads", "[model]") {
  TempDir dir;
  auto files = good_project();
  ProjectReport report = validate_project(files);
  REQUIRE(report.ok());
  auto first = pack_model(files, report, "bot", dir / "out", "a.tar.gz", 1600000000);
  auto again = pack_model(files, report, "bot", dir / "out", "b.tar.gz", 1700000000);
  REQUIRE(first);
  REQUIRE(again);
  CHECK(first->fingerprint == again->fingerprint);
  CHECK(first->fingerprint.size() == 64);
  files[4].text += "      - action: utter_hi\n";
  auto changed = pack_model(files, validate_project(files), "bot", dir / "out", "c.tar.gz", 1600000000);
  REQUIRE(changed);
  CHECK(changed->fingerprint != first->fingerprint);

  auto model = load_model_archive(first->path);
  REQUIRE(model);
  CHECK(model->id() == first->fingerprint);
  CHECK(model->fingerprint["trained_at"] == 1600000000.0);
  CHECK(model->metadata["built_at"] == "2020-09-13T12:26:40Z");
  CHECK(model->stories == std::optional<std::size_t>(1));
  CHECK(model->rules == std::optional<std::size_t>(1));
  REQUIRE(model->domain);
  CHECK(model->domain->find_slot("name"));
  CHECK(model->domain_names["intents"] == Json({"greet", "bye"}));
  Json summary = model_summary_json(*model);
  CHECK(summary["domain"]["responses"] == Json({"utter_hi"}));

  ProjectReport bad = validate_project({{"domain.yml", kDomain}});
  CHECK_FALSE(pack_model(files, bad, "bot", dir / "out", "d.tar.gz", 0));
  CHECK_FALSE(fs::exists(dir / "out/d.tar.gz"));
}

TEST_CASE("an archive made by Rasa (core/domain.yml, no metadata) loads", "[model]") {
  TempDir dir;
  REQUIRE(write_tar_gz(dir / "rasa.tar.gz",
                       {{"core/domain.yml", kDomain}, {"nlu/metadata.json", "{}"}, {"fingerprint.json", "{\"version\": \"2.8.12\"}"}},
                       0));
  auto model = load_model_archive(dir / "rasa.tar.gz");
  REQUIRE(model);
  REQUIRE(model->domain);
  CHECK(model->domain_names["responses"] == Json({"utter_hi"}));
  CHECK(model->fingerprint["version"] == "2.8.12");
  CHECK(model->id().size() == 64);  // no "project" key: a hash of fingerprint.json
  CHECK_FALSE(model->stories);
  CHECK(model_summary_json(*model)["built_at"].is_null());
}

TEST_CASE("resolve_model_path: a file, or a directory's newest archive", "[model]") {
  TempDir dir;
  fs::create_directories(dir / "models");
  spit(dir / "models/old.tar.gz", "x");
  spit(dir / "models/new.tar.gz", "x");
  spit(dir / "models/.convo-pull-1-abc.part", "x");
  auto now = fs::file_time_type::clock::now();
  fs::last_write_time(dir / "models/old.tar.gz", now - std::chrono::hours(2));
  fs::last_write_time(dir / "models/new.tar.gz", now - std::chrono::hours(1));
  fs::last_write_time(dir / "models/.convo-pull-1-abc.part", now);
  auto newest = resolve_model_path(dir / "models");
  REQUIRE(newest);
  CHECK(fs::path(*newest).filename() == "new.tar.gz");
  CHECK(*resolve_model_path(dir / "models/old.tar.gz") == dir / "models/old.tar.gz");
  fs::create_directories(dir / "empty");
  CHECK(resolve_model_path(dir / "empty").error().kind == ErrorKind::NotFound);
  CHECK(resolve_model_path(dir / "nothing").error().kind == ErrorKind::NotFound);
}

TEST_CASE("models: section of endpoints.yml", "[model]") {
  auto s = model_server_from_json(Json{{"url", "http://h/m?x=1"}, {"token", "a b"}, {"token_name", "key"}}, "e");
  REQUIRE(s);
  CHECK(s->interval_s == 100);  // Rasa's default when the key is absent
  CHECK(model_request_url(*s) == "http://h/m?x=1&key=a%20b");
  CHECK(model_display_url(*s) == "http://h/m?x=1&key=***");
  CHECK(model_server_from_json(Json{{"url", "http://h"}, {"wait_time_between_pulls", nullptr}}, "e")->interval_s == 0);
  CHECK(model_server_from_json(Json{{"url", "http://h"}, {"wait_time_between_pulls", "0"}}, "e")->interval_s == 0);
  CHECK(model_server_from_json(Json{{"url", "http://h"}, {"wait_time_between_pulls", "30"}}, "e")->interval_s == 30);
  CHECK_FALSE(model_server_from_json(Json{{"url", "http://h"}, {"wait_time_between_pulls", "soon"}}, "e"));
  CHECK_FALSE(model_server_from_json(Json{{"url", "models/x.tar.gz"}}, "e"));
  CHECK_FALSE(model_server_from_json(Json{{"token", "t"}}, "e"));
  auto h = model_server_from_json(Json{{"url", "https://h"}, {"headers", {{"X-A", "1"}}}, {"params", {{"p", 2}}}}, "e");
  REQUIRE(h);
  CHECK(h->headers.at(0) == std::make_pair(std::string("X-A"), std::string("1")));
  CHECK(model_request_url(*h) == "https://h?p=2");
}

TEST_CASE("ModelPuller speaks the ETag protocol with a real server", "[model]") {
  TempDir dir;
  fs::create_directories(dir / "srv");
  auto files = good_project();
  REQUIRE(pack_model(files, validate_project(files), "bot", dir / "srv", "bot.tar.gz", 1600000000));
  spit(dir / "srv/junk.tar.gz", "not an archive at all");
  ModelServerProcess server(dir / "srv", dir / "requests.log");
  const std::string out = dir / "models";
  const std::string fp_file = dir / "fp";

  SECTION("updated, then unchanged; the ETag is sent back; the fingerprint file persists it") {
    ModelPuller puller(server_for(server.url("bot.tar.gz?etag=%22v1%22")), out, fp_file);
    PullResult r = puller.pull();
    REQUIRE(r.outcome == PullOutcome::Updated);
    CHECK(r.fingerprint == "\"v1\"");  // verbatim, quotes included
    CHECK(fs::path(r.file).filename() == "bot.tar.gz");
    CHECK(load_model_archive(r.file));
    CHECK(slurp(fp_file) == "\"v1\"\n");
    ModelPuller later(server_for(server.url("bot.tar.gz?etag=%22v1%22")), out, fp_file);
    PullResult again = later.pull();
    CHECK(again.outcome == PullOutcome::Unchanged);
    CHECK(again.http_status == 304);
    auto log = log_lines(dir / "requests.log");
    REQUIRE(log.size() == 2);
    std::string first = log[0]["headers"]["if-none-match"];
    CHECK(first.size() == 32);
    CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(log[1]["headers"]["if-none-match"] == "\"v1\"");
  }
  SECTION("an ETag on a 204 or 304 is never adopted") {
    for (const char* status : {"204", "304"}) {
      ModelPuller puller(server_for(server.url(std::string("bot.tar.gz?etag=other&force=") + status)), out, fp_file);
      PullResult r = puller.pull();
      CHECK(r.outcome == PullOutcome::Unchanged);
      CHECK(r.fingerprint.empty());
      CHECK(puller.fingerprint().empty());
      CHECK_FALSE(fs::exists(fp_file));
    }
  }
  SECTION("failures keep the directory as it was") {
    const char* cases[] = {"bot.tar.gz?noetag=1", "absent.tar.gz", "bot.tar.gz?status=500", "bot.tar.gz?truncate=200",
                           "junk.tar.gz"};
    for (const char* c : cases) {
      ModelPuller puller(server_for(server.url(c)), out, fp_file);
      PullResult r = puller.pull();
      INFO(c << ": " << r.error.message);
      CHECK((r.outcome == PullOutcome::Failed || r.outcome == PullOutcome::Discarded));
      CHECK(r.error.kind == ErrorKind::Upstream);
      CHECK_THAT(r.error.message, Contains("current model kept"));
      CHECK(fs::is_empty(out));
    }
  }
  SECTION("token as a query parameter, configured headers, and a dead process's temp file removed") {
    fs::create_directories(out);
    spit(out + "/.convo-pull-999999999-abcdef.part", "left by a killed pull");
    auto cfg = model_server_from_json(
        Json{{"url", server.url("bot.tar.gz")}, {"token", "t0k"}, {"token_name", "auth"}, {"headers", {{"X-Team", "bots"}}}}, "e");
    REQUIRE(cfg);
    ModelPuller puller(*cfg, out);
    CHECK(puller.pull().outcome == PullOutcome::Updated);
    auto log = log_lines(dir / "requests.log");
    REQUIRE(log.size() == 1);
    CHECK(log[0]["query"]["auth"] == Json({"t0k"}));
    CHECK(log[0]["headers"]["x-team"] == "bots");
    CHECK_FALSE(fs::exists(out + "/.convo-pull-999999999-abcdef.part"));
  }
  SECTION("a refused archive is discarded and its ETag not adopted; the next pull downloads again") {
    ModelPuller puller(server_for(server.url("bot.tar.gz?etag=v2")), out, fp_file);
    std::string seen;
    puller.set_check([&](const std::string& path) -> Result<bool> {
      seen = path;
      CHECK(load_model_archive(path));
      return runtime_error("domain too old");
    });
    PullResult r = puller.pull();
    CHECK(r.outcome == PullOutcome::Failed);
    CHECK_THAT(r.error.message, Contains("domain too old"));
    CHECK(fs::path(seen).parent_path() == fs::path(out));
    CHECK(fs::is_empty(out));
    CHECK(puller.fingerprint().empty());
    puller.set_check(nullptr);
    CHECK(puller.pull().outcome == PullOutcome::Updated);
    CHECK(puller.fingerprint() == "v2");
  }
  SECTION("a raised cancel flag stops the download and leaves nothing behind") {
    std::atomic<bool> cancel{false};
    ModelPuller puller(server_for(server.url("bot.tar.gz?stall=100")), out, fp_file);
    PullResult r = puller.pull([&](std::uint64_t done, std::uint64_t) { if (done > 0) cancel = true; }, &cancel);
    CHECK(r.outcome == PullOutcome::Cancelled);
    CHECK(fs::is_empty(out));
  }
}
