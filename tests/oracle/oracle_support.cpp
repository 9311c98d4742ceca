#include "oracle_support.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "../support/sha256.hpp"

namespace convo::test {

std::filesystem::path oracle_dir() { return std::filesystem::path(CONVO_SHARED_DIR) / "fixtures" / "oracle"; }

Json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return Json::parse(in);
}

std::vector<OracleCase> load_oracle_cases() {
  std::vector<OracleCase> cases;
  for (const auto& entry : std::filesystem::directory_iterator(oracle_dir())) {
    std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".json" || file.find(".expected.") != std::string::npos) continue;
    std::string stem = entry.path().stem().string();
    auto expected = entry.path().parent_path() / (stem + ".expected.json");
    if (!std::filesystem::exists(expected)) continue;
    cases.push_back({stem, read_json_file(entry.path()), read_json_file(expected)});
  }
  std::sort(cases.begin(), cases.end(),
            [](const OracleCase& a, const OracleCase& b) { return a.name < b.name; });
  return cases;
}

ParseContext oracle_context() {
  auto counter = std::make_shared<int>(0);
  return ParseContext{[] { return kOracleNow; },
                      [counter] {
                        char buf[64];
                        std::snprintf(buf, sizeof buf, "00000000-0000-1000-8000-%012d", ++*counter);
                        return std::string(buf);
                      }};
}

std::string comparable(const Json& actual, const Json& expected) {
  if (expected.is_object() && expected.contains("sha256") && actual.is_array()) {
    Json digest = Json::object();
    digest["count"] = actual.size();
    digest["sha256"] = sha256_hex(actual.dump());
    digest["first"] = actual.empty() ? Json() : actual.front();
    digest["last"] = actual.empty() ? Json() : actual.back();
    Json shaped = Json::object();  // in the expected key order
    for (const auto& [k, _] : expected.items()) shaped[k] = digest.value(k, Json());
    return shaped.dump();
  }
  return actual.dump();
}

}  // namespace convo::test
