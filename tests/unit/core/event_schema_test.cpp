// Rasa 2.8's events JSON schema (lib/include/convo/core/event_schema.hpp): every event type, each
// constraint with its message, the response_selector oneOf quirk, and agreement with Python's
// jsonschema run on Rasa's own schema file.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "convo/core/event_schema.hpp"

using convo::Json;
using convo::validate_events_schema;

namespace {

// The message for a list given as JSON text, or "" when the schema accepts it.
std::string err(const std::string& text) {
  auto r = validate_events_schema(Json::parse(text));
  return r ? *r : "";
}

// One event wrapped in a list.
std::string err1(const std::string& event_text) { return err("[" + event_text + "]"); }

std::string user_with(const std::string& parse_data) {
  return R"({"event": "user", "text": "hi", "parse_data": )" + parse_data + "}";
}

}  // namespace

TEST_CASE("event schema: the input must be a list", "[event_schema]") {
  CHECK(err("{}") == "expected a list of events, got an object");
  CHECK(err(R"("user")") == "expected a list of events, got a string");
  CHECK(err("null") == "expected a list of events, got null");
  CHECK(err("[]").empty());
}

TEST_CASE("event schema: a minimal item of every Rasa event type passes", "[event_schema]") {
  // Legacy 2.x names (form, form_validation) are still in the schema.
  const char* const plain[] = {"user", "action", "user_featurization", "cancel_reminder",
                               "reminder", "action_execution_rejected", "form_validation",
                               "loop_interrupted", "form", "active_loop", "reset_slots", "resume",
                               "pause", "followup", "export", "restart", "undo", "rewind", "bot",
                               "session_started", "agent"};
  std::vector<std::string> minimal = {R"({"event": "slot", "name": "city", "value": null})",
                                      R"({"event": "entities", "entities": []})"};
  for (const char* type : plain) minimal.push_back(R"({"event": ")" + std::string(type) + "\"}");
  CHECK(minimal.size() == 23);
  for (const std::string& item : minimal) {
    INFO(item);
    CHECK(err1(item).empty());
  }
}

TEST_CASE("event schema: fully populated events pass", "[event_schema]") {
  CHECK(err1(R"({"event": "user", "timestamp": 1600000000.5, "metadata": {"a": 1},
    "text": "hi", "input_channel": "rest", "message_id": "m1", "parse_data": {"text": "hi",
      "intent": {"name": "greet", "confidence": 0.9, "id": 7},
      "intent_ranking": [{"name": "greet", "confidence": 1}, {"name": "bye", "id": 2.5}],
      "entities": [{"entity": "city", "value": {"any": ["thing"]}, "start": 0, "end": 6.0,
                    "confidence": 1, "extractor": null, "role": "to", "group": null}],
      "response_selector": {"all_retrieval_intents": ["faq"], "default": {
        "response": {"responses": [{"text": "a"}], "confidence": 0.4,
                     "intent_response_key": "faq/a", "utter_action": "utter_faq/a"},
        "ranking": [{"id": 1, "confidence": 0.4, "intent_response_key": "faq/a"}]}}}})")
            .empty());
  CHECK(err1(R"({"event": "action", "timestamp": 1, "name": "action_listen", "policy": null,
    "confidence": 1, "action_text": null, "hide_rule_turn": true})")
            .empty());
  CHECK(err1(R"({"event": "slot", "name": "n", "value": [1, {"x": null}], "timestamp": null,
    "metadata": null})")
            .empty());
  // Additional properties are allowed everywhere, and nothing beyond the schema is checked.
  CHECK(err1(R"({"event": "bot", "text": 5, "data": "not an object", "extra": true})").empty());
  CHECK(err1(R"({"event": "user", "text": null, "parse_data": {}})").empty());
  // Rasa's SDK shape that parses fine later, and the shape the parser rejects (spec §4.3).
  CHECK(err1(R"({"event": "user", "text": "hi"})").empty());
}

TEST_CASE("event schema: item-level constraints", "[event_schema]") {
  CHECK(err(R"([{"event": "restart"}, {"event": "USER"}])") ==
        "events[1]: 'USER' is not a valid event type");
  CHECK(err1(R"("hi")") == "events[0]: 'hi' is not of type 'object'");
  CHECK(err1("null") == "events[0]: None is not of type 'object'");
  CHECK(err1("[]") == "events[0]: [] is not of type 'object'");
  CHECK(err1(R"({"timestamp": 1})") == "events[0]: 'event' is a required property");
  CHECK(err1(R"({"event": 5})") == "events[0]: event: 5 is not of type 'string'");
  CHECK(err1(R"({"event": null})") == "events[0]: event: None is not of type 'string'");
  CHECK(err1(R"({"event": "bot", "timestamp": "2020-01-01"})") ==
        "events[0] (bot): timestamp: '2020-01-01' is not of type 'number', 'null'");
  CHECK(err1(R"({"event": "bot", "timestamp": true})") ==
        "events[0] (bot): timestamp: True is not of type 'number', 'null'");
  CHECK(err1(R"({"event": "pause", "metadata": []})") ==
        "events[0] (pause): metadata: [] is not of type 'object', 'null'");
}

TEST_CASE("event schema: slot and entities events", "[event_schema]") {
  CHECK(err1(R"({"event": "slot", "value": 1})") ==
        "events[0] (slot): 'name' is a required property");
  CHECK(err1(R"({"event": "slot", "name": "a"})") ==
        "events[0] (slot): 'value' is a required property");
  CHECK(err1(R"({"event": "slot", "name": ["a"], "value": 1})") ==
        "events[0] (slot): name: ['a'] is not of type 'string'");
  CHECK(err1(R"({"event": "entities"})") ==
        "events[0] (entities): 'entities' is a required property");
  CHECK(err1(R"({"event": "entities", "entities": null})") ==
        "events[0] (entities): entities: None is not of type 'array'");
  CHECK(err1(R"({"event": "entities", "entities": [{"entity": "e", "value": 1, "role": 3}]})") ==
        "events[0] (entities): entities[0].role: 3 is not of type 'string', 'null'");
}

TEST_CASE("event schema: user events", "[event_schema]") {
  CHECK(err1(R"({"event": "user", "text": 5})") ==
        "events[0] (user): text: 5 is not of type 'string', 'null'");
  CHECK(err1(R"({"event": "user", "input_channel": {}})") ==
        "events[0] (user): input_channel: {} is not of type 'string', 'null'");
  CHECK(err1(user_with(R"("hi")")) ==
        "events[0] (user): parse_data: 'hi' is not of type 'object'");
  // The SDK's UserUttered("hi") sends parse_data null: rejected on the action-server path.
  CHECK(err1(user_with("null")) == "events[0] (user): parse_data: None is not of type 'object'");
  CHECK(err1(user_with(R"({"entities": [{"entity": "city"}]})")) ==
        "events[0] (user): parse_data.entities[0]: 'value' is a required property");
  CHECK(err1(user_with(R"({"entities": [{"value": 1}]})")) ==
        "events[0] (user): parse_data.entities[0]: 'entity' is a required property");
  CHECK(err1(user_with(R"({"entities": [{"entity": "e", "value": 1, "start": "0"}]})")) ==
        "events[0] (user): parse_data.entities[0].start: '0' is not of type 'integer'");
  // Draft 7 integers: 1.0 is one, 1.5 and booleans are not.
  CHECK(err1(user_with(R"({"entities": [{"entity": "e", "value": 1, "start": 1.0}]})")).empty());
  CHECK(err1(user_with(R"({"entities": [{"entity": "e", "value": 1, "end": 1.5}]})")) ==
        "events[0] (user): parse_data.entities[0].end: 1.5 is not of type 'integer'");
  CHECK(err1(user_with(R"({"entities": [{"entity": "e", "value": 1, "end": false}]})")) ==
        "events[0] (user): parse_data.entities[0].end: False is not of type 'integer'");
  CHECK(err1(user_with(R"({"entities": {"entity": "e", "value": 1}})")) ==
        "events[0] (user): parse_data.entities: {'entity': 'e', 'value': 1} is not of type "
        "'array'");
  CHECK(err1(user_with(R"({"intent": {"name": "greet", "confidence": "high"}})")) ==
        "events[0] (user): parse_data.intent.confidence: 'high' is not of type 'number'");
  CHECK(err1(user_with(R"({"intent": {"name": null}})")) ==
        "events[0] (user): parse_data.intent.name: None is not of type 'string'");
  CHECK(err1(user_with(R"({"intent_ranking": [{"name": "a"}, "greet"]})")) ==
        "events[0] (user): parse_data.intent_ranking[1]: 'greet' is not of type 'object'");
  CHECK(err1(user_with(R"({"intent_ranking": [{"confidence": true}]})")) ==
        "events[0] (user): parse_data.intent_ranking[0].confidence: True is not of type 'number'");
  CHECK(err1(user_with(R"({"intent_ranking": {}})")) ==
        "events[0] (user): parse_data.intent_ranking: {} is not of type 'array'");
  CHECK(err1(user_with(R"({"response_selector": []})")) ==
        "events[0] (user): parse_data.response_selector: [] is not of type 'object'");
}

TEST_CASE("event schema: response_selector follows Rasa's oneOf literally", "[event_schema]") {
  // Branch 1 wants all_retrieval_intents (if present) to be an array; branch 2 wants every key
  // containing a word character or '/' to map to an object. Exactly one may match, so a selector
  // without all_retrieval_intents and with well-formed entries (or empty) is rejected...
  CHECK(err1(user_with(R"({"response_selector": {}})")) ==
        "events[0] (user): parse_data.response_selector: {} is valid under each of 2 of the given "
        "schemas (oneOf allows exactly one)");
  CHECK(err1(user_with(R"({"response_selector": {"default": {"response": {}}}})")) ==
        "events[0] (user): parse_data.response_selector: {'default': {'response': {}}} is valid "
        "under each of 2 of the given schemas (oneOf allows exactly one)");
  // ...while all_retrieval_intents as an array always passes (branch 2 then fails on it), and
  // a malformed entry without it passes too (branch 1 matches, branch 2 fails).
  CHECK(err1(user_with(R"({"response_selector": {"all_retrieval_intents": [],
                          "default": {"response": {"confidence": "x"}}}})"))
            .empty());
  CHECK(err1(user_with(R"({"response_selector": {"default": {"ranking": 5}}})")).empty());
  CHECK(err1(user_with(R"({"response_selector": {"all_retrieval_intents": 5}})")) ==
        "events[0] (user): parse_data.response_selector: {'all_retrieval_intents': 5} is not "
        "valid under any of the given schemas (first: all_retrieval_intents: 5 is not of type "
        "'array'; second: all_retrieval_intents: 5 is not of type 'object')");
  // Keys without a word character or '/' are not covered by the pattern.
  CHECK(err1(user_with(R"({"response_selector": {"-": 5}})")) != "");
  CHECK(err1(user_with(R"({"response_selector": {"/": 5}})")).empty());
  CHECK(err1(user_with(R"({"response_selector": {"\u00e9": 5}})")).empty());
}

TEST_CASE("event schema: action events", "[event_schema]") {
  CHECK(err1(R"({"event": "action", "name": "a", "hide_rule_turn": "false"})") ==
        "events[0] (action): hide_rule_turn: 'false' is not of type 'boolean'");
  CHECK(err1(R"({"event": "action", "hide_rule_turn": null})") ==
        "events[0] (action): hide_rule_turn: None is not of type 'boolean'");
  CHECK(err(R"([{"event": "bot"}, {"event": "slot", "name": "a", "value": 1}, {"event": "user"},
               {"event": "action", "confidence": "high"}])") ==
        "events[3] (action): confidence: 'high' is not of type 'number', 'null'");
  CHECK(err1(R"({"event": "action", "name": 5})") ==
        "events[0] (action): name: 5 is not of type 'string', 'null'");
  CHECK(err1(R"({"event": "action", "policy": false, "action_text": 1})") ==
        "events[0] (action): policy: False is not of type 'string', 'null'");
}

TEST_CASE("event schema: only the first error is reported, on one line", "[event_schema]") {
  CHECK(err(R"([{"event": "bot"}, {"event": "slot"}, {"event": "nope"}])") ==
        "events[1] (slot): 'name' is a required property");
  std::string long_text(300, 'x');
  std::string message = err1(R"({"event": "user", "text": [")" + long_text + R"("]})");
  CHECK(message.size() < 150);
  CHECK(message.find("...") != std::string::npos);
  CHECK(err1(R"({"event": "user", "text": ["a\nb"]})") ==
        R"(events[0] (user): text: ['a\nb'] is not of type 'string', 'null')");
}

// ---- Agreement with Python's jsonschema on Rasa's own schema file ----

namespace {

// Reads EVENTS_SCHEMA from the Rasa 2.8 source in the local git mirror and prints one verdict per
// input line. Draft7Validator explicitly: Rasa pins jsonschema ~3.2, whose validate() picks Draft 7
// for a schema without "$schema"; newer jsonschema releases would default to a later draft.
const char* const kPythonChecker = R"PY(
import json, subprocess, sys
try:
    import jsonschema
except ImportError:
    print("SKIP python3 has no jsonschema module")
    sys.exit(0)
mirror, cases_path = sys.argv[1], sys.argv[2]
try:
    src = subprocess.run(
        ["git", "-C", mirror, "show", "aca4db07:rasa/shared/utils/schemas/events.py"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=True).stdout
except Exception as e:
    print("SKIP cannot read Rasa's events.py from " + mirror + ": " + str(e).replace("\n", " "))
    sys.exit(0)
# The module is plain dict literals; stub out imports so it runs without Rasa installed.
src = "\n".join("pass" if l.startswith(("import ", "from ")) else l for l in src.splitlines())
ns = {}
exec(src, ns)
validator = jsonschema.Draft7Validator(ns["EVENTS_SCHEMA"])
with open(cases_path, encoding="utf-8") as cases:
    for line in cases:
        error = jsonschema.exceptions.best_match(validator.iter_errors(json.loads(line)))
        print("OK" if error is None else "ERR " + error.message.replace("\n", " ")[:160])
)PY";

struct PythonRun {
  std::string skipped;  // why the check could not run, or ""
  std::vector<std::string> verdicts;
};

PythonRun run_python(const std::vector<Json>& cases) {
  namespace fs = std::filesystem;
  const char* env = std::getenv("CONVO_RASA_MIRROR");
  const std::string mirror = env ? env : "/work/.mirror/caire-health+rasa/repo";
  const fs::path dir =
      fs::temp_directory_path() / ("convo_event_schema_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path script = dir / "check.py", input = dir / "cases.jsonl";
  std::ofstream(script) << kPythonChecker;
  {
    std::ofstream out(input);
    for (const Json& c : cases) out << c.dump() << '\n';
  }
  PythonRun run;
  const std::string cmd =
      "python3 '" + script.string() + "' '" + mirror + "' '" + input.string() + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) {
    run.skipped = "popen failed";
  } else {
    std::string output;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
    int status = pclose(pipe);
    std::size_t start = 0;
    for (std::size_t nl; (nl = output.find('\n', start)) != std::string::npos; start = nl + 1)
      run.verdicts.push_back(output.substr(start, nl - start));
    if (!run.verdicts.empty() && run.verdicts[0].rfind("SKIP ", 0) == 0)
      run.skipped = run.verdicts[0].substr(5);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      run.skipped = "python3 is not installed";
    else if (status != 0)
      FAIL("python3 checker failed: " << output);  // a broken checker must not pass silently
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return run;
}

// Deterministic across platforms, unlike the <random> distributions.
std::uint32_t next_random(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<std::uint32_t>(state >> 33);
}

void collect_pointers(const Json& v, const Json::json_pointer& at,
                      std::vector<Json::json_pointer>& out) {
  out.push_back(at);
  if (v.is_object())
    for (const auto& [k, x] : v.items()) collect_pointers(x, at / k, out);
  else if (v.is_array())
    for (std::size_t i = 0; i < v.size(); ++i) collect_pointers(v[i], at / i, out);
}

// Valid events with every field the schema constrains, mutated one or two places at a time.
std::vector<Json> mutated_cases(std::size_t count) {
  const std::vector<Json> bases = {
      Json::parse(R"({"event": "user", "timestamp": 1.5, "metadata": {}, "text": "hi",
        "input_channel": "rest", "message_id": "m", "parse_data": {"text": "hi",
        "intent": {"name": "greet", "confidence": 0.9, "id": 3},
        "intent_ranking": [{"name": "greet", "confidence": 0.9, "id": 3}],
        "entities": [{"entity": "city", "value": "B", "start": 0, "end": 1, "confidence": 0.8,
                      "extractor": "X", "role": null, "group": "g"}],
        "response_selector": {"all_retrieval_intents": ["faq"], "faq": {
          "response": {"responses": [{"text": "a"}], "response_templates": [{"text": "a"}],
            "confidence": 0.5, "intent_response_key": "faq/a", "utter_action": "utter_faq",
            "template_name": "utter_faq"},
          "ranking": [{"id": 1, "confidence": 0.5, "intent_response_key": "faq/a"}]}}}})"),
      Json::parse(R"({"event": "user", "parse_data": {"response_selector": {"faq": {
        "response": {"responses": [{"text": "a"}]}, "ranking": [{"id": 1}]}}}})"),
      Json::parse(R"({"event": "action", "timestamp": 2, "name": "a", "policy": "p",
        "confidence": 1.0, "action_text": null, "hide_rule_turn": false})"),
      Json::parse(R"({"event": "slot", "name": "s", "value": 1, "metadata": null})"),
      Json::parse(R"({"event": "entities", "entities": [{"entity": "e", "value": 2}]})"),
      Json::parse(R"({"event": "bot", "text": "t", "data": {}, "metadata": {"k": 1}})"),
  };
  const std::vector<Json> values = Json::parse(R"(["x", "", "user", "slot", "USER", 0, 1, 1.0,
    1.5, -3, true, false, null, {}, [], [1], ["a"], {"text": 5}, {"entity": "e", "value": 1},
    {"response": {}}, {"all_retrieval_intents": 1}])");
  const char* const keys[] = {"event", "text", "name", "value", "entities", "confidence", "start",
                              "timestamp", "metadata", "all_retrieval_intents", "faq", "-",
                              "hide_rule_turn", "parse_data", "intent", "id", "ranking"};
  std::uint64_t state = 20210801;
  std::vector<Json> out;
  while (out.size() < count) {
    Json item = bases[next_random(state) % bases.size()];
    for (std::uint32_t edits = 1 + next_random(state) % 2; edits > 0; --edits) {
      std::vector<Json::json_pointer> pointers;
      collect_pointers(item, Json::json_pointer(), pointers);
      const Json::json_pointer at = pointers[next_random(state) % pointers.size()];
      const Json& value = values[next_random(state) % values.size()];
      switch (next_random(state) % 3) {
        case 0:  // delete the member or element
          if (!at.empty()) {
            Json& parent = item[at.parent_pointer()];
            if (parent.is_object()) parent.erase(at.back());
            else parent.erase(static_cast<std::size_t>(std::stoul(at.back())));
            break;
          }
          [[fallthrough]];
        case 1: item[at] = value; break;
        default:
          if (item[at].is_object()) item[at][keys[next_random(state) % std::size(keys)]] = value;
          else item[at] = value;
      }
    }
    out.push_back(Json::array({item}));
  }
  return out;
}

}  // namespace

TEST_CASE("event schema: verdicts agree with Python jsonschema on Rasa's schema",
          "[event_schema][interop]") {
  std::vector<Json> cases;
  for (const char* text : {
           R"([])", R"({})", R"([{"event": "form"}, {"event": "form_validation"}])",
           R"([{"event": "slot", "value": 1}])", R"([{"event": "entities"}])",
           R"([{"event": "user", "text": 5}])", R"([{"event": "user", "parse_data": "x"}])",
           R"([{"event": "user", "parse_data": {"entities": [{"entity": "e"}]}}])",
           R"([{"event": "user", "parse_data": {"entities": [{"entity": "e", "value": 1,
              "start": 1.0, "end": 2}]}}])",
           R"([{"event": "user", "parse_data": {"entities": [{"entity": "e", "value": 1,
              "start": 1.5}]}}])",
           R"([{"event": "user", "parse_data": {"intent": {"confidence": "high"}}}])",
           R"([{"event": "user", "parse_data": {"intent_ranking": ["greet"]}}])",
           R"([{"event": "user", "parse_data": {"response_selector": []}}])",
           R"([{"event": "user", "parse_data": {"response_selector": {}}}])",
           R"([{"event": "action", "hide_rule_turn": 0}])",
           R"([{"event": "action", "confidence": "high"}])",
           R"([{"event": "bot", "timestamp": "1"}])", R"([{"event": "bot", "metadata": []}])",
           R"([{"event": "USER"}])", R"(["user"])", R"([{"event": true}])",
           R"([{"event": "slot", "name": "a", "value": 1, "timestamp": false}])",
       })
    cases.push_back(Json::parse(text));
  // Response-selector keys probe the Unicode `\w` of the pattern "[\w/]".
  for (const char* key : {"\\u00e9", "\\u00df", "\\u2014", "\\ud83d\\ude42", "\\u00b7",
                          "\\u4e2d", "\\u0663", "\\u0301", "\\u00aa", "\\u00b5", "\\u00d7", "-"})
    cases.push_back(Json::parse(std::string(R"([{"event": "user", "parse_data":
        {"response_selector": {")") + key + R"(": 5}}}])"));
  const std::size_t handwritten = cases.size();
  for (Json& c : mutated_cases(600)) cases.push_back(std::move(c));

  PythonRun python = run_python(cases);
  if (!python.skipped.empty()) {
    WARN("SKIPPED the Python jsonschema cross-check: " << python.skipped);
    return;
  }
  REQUIRE(python.verdicts.size() == cases.size());
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto ours = validate_events_schema(cases[i]);
    const bool python_ok = python.verdicts[i] == "OK";
    rejected += python_ok ? 0 : 1;
    INFO("case " << i << (i < handwritten ? " (handwritten): " : " (mutated): ")
                 << cases[i].dump() << "\nconvo:  " << (ours ? *ours : "OK")
                 << "\npython: " << python.verdicts[i]);
    CHECK(!ours == python_ok);
  }
  // The mutations must exercise both outcomes, or the agreement says little.
  CHECK(rejected > cases.size() / 5);
  CHECK(rejected < cases.size() * 4 / 5);
}
