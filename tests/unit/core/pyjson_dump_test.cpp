// dump_python must write what CPython's json.dumps writes; the expected strings below are
// CPython 3.11's output for the same values.
#include <catch2/catch.hpp>

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
