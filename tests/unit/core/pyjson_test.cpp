// The Python semantics convo borrows for JSON values (lib/include/convo/core/json.hpp):
// truthiness, `==`, str() and the type names used in messages.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "convo/core/json.hpp"

using convo::describe_type;
using convo::dump_compact;
using convo::Json;
using convo::py_equal;
using convo::py_str;
using convo::py_truthy;

namespace {

Json j(const char* text) { return Json::parse(text); }

// py_equal must be symmetric; check both directions every time.
bool eq(const Json& a, const Json& b) {
  bool ab = py_equal(a, b), ba = py_equal(b, a);
  INFO("py_equal(" << a.dump() << ", " << b.dump() << ") = " << ab << ", reversed = " << ba);
  CHECK(ab == ba);
  return ab;
}

}  // namespace

TEST_CASE("py_truthy: Python's falsy values are false", "[pyjson]") {
  CHECK_FALSE(py_truthy(Json()));
  CHECK_FALSE(py_truthy(Json(false)));
  CHECK_FALSE(py_truthy(Json(0)));
  CHECK_FALSE(py_truthy(Json(0u)));
  CHECK_FALSE(py_truthy(Json(0.0)));
  CHECK_FALSE(py_truthy(Json(-0.0)));
  CHECK_FALSE(py_truthy(Json("")));
  CHECK_FALSE(py_truthy(Json::array()));
  CHECK_FALSE(py_truthy(Json::object()));
}

TEST_CASE("py_truthy: everything else is true, whatever it contains", "[pyjson]") {
  CHECK(py_truthy(Json(true)));
  CHECK(py_truthy(Json(1)));
  CHECK(py_truthy(Json(-1)));
  CHECK(py_truthy(Json(std::uint64_t{18446744073709551615ULL})));
  CHECK(py_truthy(Json(0.0001)));
  CHECK(py_truthy(Json(-2.5)));
  CHECK(py_truthy(Json(" ")));
  CHECK(py_truthy(Json("0")));      // a string, not a number
  CHECK(py_truthy(Json("False")));  // likewise
  CHECK(py_truthy(j("[null]")));    // a non-empty list of falsy things
  CHECK(py_truthy(j("[[]]")));
  CHECK(py_truthy(j(R"({"a": null})")));
}

TEST_CASE("py_equal: numbers and booleans compare numerically", "[pyjson]") {
  CHECK(eq(j("1"), j("1.0")));
  CHECK(eq(j("1"), j("true")));
  CHECK(eq(j("1.0"), j("true")));
  CHECK(eq(j("0"), j("false")));
  CHECK(eq(j("0.0"), j("false")));
  CHECK(eq(j("-0.0"), j("0")));
  CHECK(eq(j("2.5"), j("2.5")));
  CHECK(eq(Json(std::uint64_t{7}), Json(std::int64_t{7})));
  CHECK_FALSE(eq(j("2"), j("true")));  // True is 1, not "any truthy number"
  CHECK_FALSE(eq(j("1"), j("1.5")));
  CHECK_FALSE(eq(j("true"), j("false")));
}

TEST_CASE("py_equal: large integers compare exactly", "[pyjson]") {
  // 2**63 and 2**63 + 1 are different Python ints; a double comparison would merge them.
  CHECK_FALSE(eq(Json(std::uint64_t{9223372036854775808ULL}), Json(std::uint64_t{9223372036854775809ULL})));
  CHECK(eq(Json(std::uint64_t{9223372036854775809ULL}), Json(std::uint64_t{9223372036854775809ULL})));
  CHECK_FALSE(eq(Json(std::int64_t{9007199254740993}), Json(std::int64_t{9007199254740992})));
}

TEST_CASE("py_equal: ints compare exactly with floats and huge ints, as in Python",
          "[pyjson]") {
  // Python: 9007199254740993 == 9007199254740992.0 is False (int/float comparison is exact),
  // while 9007199254740992 == 9007199254740992.0 is True.
  CHECK(eq(Json(std::int64_t{9007199254740992}), Json(9007199254740992.0)));
  CHECK_FALSE(eq(Json(std::int64_t{9007199254740993}), Json(9007199254740992.0)));
  // -1 == 18446744073709551615 is False in Python (both are valid JSON integers).
  CHECK_FALSE(eq(j("-1"), j("18446744073709551615")));
}

TEST_CASE("py_equal: values of different kinds are never equal", "[pyjson]") {
  CHECK_FALSE(eq(j("1"), j(R"("1")")));
  CHECK_FALSE(eq(j("null"), j("false")));
  CHECK_FALSE(eq(j("null"), j("0")));
  CHECK_FALSE(eq(j(R"("")"), j("null")));
  CHECK_FALSE(eq(j("[]"), j("{}")));
  CHECK_FALSE(eq(j("[]"), j("null")));
  CHECK_FALSE(eq(j(R"("true")"), j("true")));
  CHECK(eq(j("null"), j("null")));
  CHECK(eq(j(R"("x")"), j(R"("x")")));
  CHECK_FALSE(eq(j(R"("x")"), j(R"("X")")));
}

TEST_CASE("py_equal: objects ignore key order, lists do not", "[pyjson]") {
  CHECK(eq(j(R"({"a": 1, "b": 2})"), j(R"({"b": 2, "a": 1})")));
  CHECK_FALSE(eq(j(R"({"a": 1, "b": 2})"), j(R"({"a": 1})")));
  CHECK_FALSE(eq(j(R"({"a": 1})"), j(R"({"a": 1, "b": 2})")));
  CHECK_FALSE(eq(j(R"({"a": 1})"), j(R"({"b": 1})")));
  CHECK_FALSE(eq(j(R"({"a": null})"), j("{}")));  // a null value is still a key
  CHECK(eq(j("[1, 2]"), j("[1, 2]")));
  CHECK_FALSE(eq(j("[1, 2]"), j("[2, 1]")));
  CHECK_FALSE(eq(j("[1]"), j("[1, 1]")));
}

TEST_CASE("py_equal: the rules apply at every nesting level", "[pyjson]") {
  CHECK(eq(j(R"({"e": [{"v": 1, "k": true}], "n": {"x": [0]}})"),
           j(R"({"n": {"x": [false]}, "e": [{"k": 1.0, "v": true}]})")));
  CHECK_FALSE(eq(j(R"({"e": [{"v": 1}]})"), j(R"({"e": [{"v": "1"}]})")));
  CHECK_FALSE(eq(j(R"([[1, [2, [3]]]])"), j(R"([[1, [2, [4]]]])")));
  CHECK(eq(j(R"([[1, [2, [3]]]])"), j(R"([[1.0, [2.0, [3.0]]]])")));
}

TEST_CASE("py_str: Python's str() of scalars", "[pyjson]") {
  CHECK(py_str(j("null")) == "None");
  CHECK(py_str(j("true")) == "True");
  CHECK(py_str(j("false")) == "False");
  CHECK(py_str(j("5")) == "5");
  CHECK(py_str(j("-12")) == "-12");
  CHECK(py_str(j("1.0")) == "1.0");  // a float keeps its ".0"
  CHECK(py_str(j("2.5")) == "2.5");
  CHECK(py_str(j("1600000000.123456789")) == "1600000000.1234567");  // shortest round trip
  CHECK(py_str(j(R"("USER")")) == "USER");                             // no quotes
  CHECK(py_str(j(R"("")")).empty());
  CHECK(py_str(j(R"("héllo")")) == "héllo");
}

TEST_CASE("py_str: Python's str() of lists and dicts", "[pyjson]") {
  // json.hpp promises Python's str(): str([1, 'x', None]) is "[1, 'x', None]" and
  // str({'a': True}) is "{'a': True}" — not JSON text.
  CHECK(py_str(j(R"([1, "x", null])")) == "[1, 'x', None]");
  CHECK(py_str(j(R"({"a": true})")) == "{'a': True}");
  CHECK(py_str(j("[]")) == "[]");
}

TEST_CASE("describe_type names each JSON type for messages", "[pyjson]") {
  CHECK(describe_type(j("null")) == "null");
  CHECK(describe_type(j("true")) == "a boolean");
  CHECK(describe_type(j("3")) == "a number");
  CHECK(describe_type(j("-3")) == "a number");
  CHECK(describe_type(j("3.5")) == "a number");
  CHECK(describe_type(j(R"("x")")) == "a string");
  CHECK(describe_type(j(R"("")")) == "a string");
  CHECK(describe_type(j("[1]")) == "an array");
  CHECK(describe_type(j("{}")) == "an object");
}

TEST_CASE("dump_compact: no spaces, UTF-8 as is, floats in Python's repr", "[pyjson]") {
  Json v = j(R"({"b": [1, 2.0, null], "a": "é😀\u007f\n\u0001"})");
  CHECK(dump_compact(v) == "{\"b\":[1,2.0,null],\"a\":\"é😀\x7f\\n\\u0001\"}");  // key order kept
  CHECK(dump_compact(j("[]")) == "[]");
  // The shortest digits that read back the same, as Python writes them (nlohmann's own dump
  // writes 1630570552.6764221 for this one).
  CHECK(dump_compact(Json(1630570552.676422)) == "1630570552.676422");
  CHECK(dump_compact(j("[1e-05, 1e+16, 0.0001, 123.0]")) == "[1e-05,1e+16,0.0001,123.0]");
}
