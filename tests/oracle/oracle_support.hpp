// Loading Rasa 2.8.12 oracle cases (shared/fixtures/oracle) and comparing convo's output to them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/event.hpp"
#include "convo/core/json.hpp"

namespace convo::test {

constexpr double kOracleNow = 4102444800.0;  // the oracle's stand-in for "current time"

struct OracleCase {
  std::string name;
  Json input;
  Json expected;
};

std::filesystem::path oracle_dir();
std::vector<OracleCase> load_oracle_cases();
Json read_json_file(const std::filesystem::path& path);

// A parse context pinned to the oracle's clock and uuid stand-ins (a fresh counter per call).
ParseContext oracle_context();

// `actual` serialised; when `expected` is a digest ({count, sha256, first, last}) the digest of
// `actual` instead, so both sides can be compared as text.
std::string comparable(const Json& actual, const Json& expected);

}  // namespace convo::test
