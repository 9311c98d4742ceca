// dump_python must write what CPython's json.dumps writes; the expected strings below are
// CPython 3.11's output for the same values.
#include <catch2/catch.hpp>

#include <charconv>
#include <cstdint>
#include <random>
#include <string>

#include "convo/core/json.hpp"

using convo::Json;

TEST_CASE("python_float_repr matches repr()") {
  using convo::python_float_repr;
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(1600000000.123456789) == "1600000000.1234567");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(0.00001) == "1e-05");
  CHECK(python_float_repr(-2.5e-7) == "-2.5e-07");
  CHECK(python_float_repr(1e22) == "1e+22");
  CHECK(python_float_repr(5e-324) == "5e-324");
  CHECK(python_float_repr(-0.0) == "-0.0");
  CHECK(python_float_repr(1517821726.211031) == "1517821726.211031");
}

TEST_CASE("dump_python matches json.dumps") {
  using convo::dump_python;
  CHECK(dump_python(Json::parse(R"({"a":[1,2.0,"é😀\u007f\n"],"b":{"c":null}})")) ==
        R"({"a": [1, 2.0, "\u00e9\ud83d\ude00\u007f\n"], "b": {"c": null}})");
  CHECK(dump_python(Json::parse(R"({"event":"slot","timestamp":1600000002.01,"name":"x","value":true})")) ==
        R"({"event": "slot", "timestamp": 1600000002.01, "name": "x", "value": true})");
  CHECK(dump_python(Json::array()) == "[]");
  CHECK(dump_python(Json::object()) == "{}");
  CHECK(dump_python(Json("tab\there \"q\" back\\slash \x01")) == R"("tab\there \"q\" back\\slash \u0001")");
  CHECK(dump_python(Json(-12345678901234LL)) == "-12345678901234");
}

namespace {

// What the fast check stands in for: the token read as a double and written by repr() again.
bool repr_of_itself(const std::string& token) {
  double d = 0;
  auto r = std::from_chars(token.data(), token.data() + token.size(), d);
  return r.ec == std::errc() && r.ptr == token.data() + token.size() && convo::python_float_repr(d) == token;
}

}  // namespace

TEST_CASE("plainly_python_float_repr says yes only where repr() writes the token again") {
  using convo::plainly_python_float_repr;
  // Yes without formatting: the common shapes (time.time() stamps, short decimals, x.0).
  for (const char* yes : {"1630070652.111234", "1517821726.211031", "-12.5", "0.0031", "0.0001", "1.0",
                          "123456789012345.0", "0.123456789012345", "1630070652.1112"}) {
    INFO(yes);
    CHECK(plainly_python_float_repr(yes));
    CHECK(repr_of_itself(yes));
  }
  // Not repr()'s text, or too close to call without formatting: no.
  for (const char* no : {"1.50", "0.00001", "1e5", "1E5", "01.5", ".5", "5.", "-", "0.0", "-0.0",
                         "10000000000000000.0", "1234567890123456.0", "0.30000000000000004",
                         "1600000000.1234567", "12345678901234567.5", "1.5x", ""}) {
    INFO(no);
    CHECK_FALSE(plainly_python_float_repr(no));
  }
  // Random doubles' own reprs and random digit strings: a yes is always right.
  std::mt19937_64 rng(20261208);
  std::size_t yes = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string token;
    if (i % 2 == 0) {
      double d = 0;
      switch (i % 6) {
        case 0: d = 1.6e9 + static_cast<double>(rng() % 100000000) / 1e6 + static_cast<double>(rng() % 1000) * 1e-9; break;
        case 2: d = std::ldexp(static_cast<double>(rng() >> 11), -53); break;  // [0, 1)
        default: d = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 80) - 70); break;
      }
      token = convo::python_float_repr(d);
    } else {
      const int whole = static_cast<int>(rng() % 19), frac = 1 + static_cast<int>(rng() % 19);
      token = whole == 0 ? "0" : std::string(1, static_cast<char>('1' + rng() % 9));
      for (int k = 1; k < whole; ++k) token += static_cast<char>('0' + rng() % 10);
      token += '.';
      for (int k = 0; k < frac; ++k) token += static_cast<char>('0' + rng() % 10);
    }
    if (!plainly_python_float_repr(token)) continue;
    ++yes;
    INFO(token);
    REQUIRE(repr_of_itself(token));
  }
  CHECK(yes > 20000);  // the fast path is taken, not only ever declined
}
