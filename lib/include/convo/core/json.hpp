// JSON value type used across convo, and the few Python semantics Rasa's behaviour depends on.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace convo {

// Insertion-ordered, so serialised objects keep Rasa's key order.
using Json = nlohmann::ordered_json;

// Python truthiness of a JSON value: null, false, 0, 0.0, "", [] and {} are false.
bool py_truthy(const Json& v);

// Python `==` on JSON values: numbers and booleans compare numerically (1 == 1.0 == true),
// objects compare regardless of key order.
bool py_equal(const Json& a, const Json& b);

// Python's `str()` of the value, as it appears in Rasa's error messages ('5', 'None', 'True').
std::string py_str(const Json& v);

// Compact JSON text as Rasa's HTTP API sends it: "," and ":" separators, UTF-8 as is (invalid
// bytes as U+FFFD), control characters escaped, floats in Python's repr (the shortest digits that
// read back the same; nlohmann's own dump sometimes writes one digit more).
std::string dump_compact(const Json& v);

// JSON text to a value; a syntax error or a number beyond double range ("1e400") is an error
// (not an exception) whose message is the reason ("syntax error while parsing value - ...",
// "number overflow parsing '1e400'"). `byte` receives the 1-based offset of the problem (0 when
// unknown). The one place convo's inputs turn text into JSON.
struct JsonProblem {
  std::string reason;
  std::size_t byte = 0;
};
std::variant<Json, JsonProblem> parse_json_text(std::string_view text);

// JSON text exactly as Python's json.dumps writes it with default settings (what Rasa stores in
// SQL rows and sends to brokers): ", " and ": " separators, non-ASCII as \uXXXX (surrogate pairs
// above the BMP), floats in Python's repr (1.0, 1e-05, 1e+16).
std::string dump_python(const Json& v);

// One code point of a JSON string as the dumpers write it: the short escapes, other control
// characters as \u00XX, and with `ascii` (json.dumps) DEL and everything beyond ASCII as \uXXXX
// (surrogate pairs above the BMP), else UTF-8. A surrogate or a value beyond U+10FFFF is U+FFFD.
void append_json_code_point(std::string& out, std::uint32_t cp, bool ascii);

// Python's repr() of a double: shortest round-trip digits, fixed notation for exponents -4..15.
std::string python_float_repr(double d);
// The same into `buf` (at least kFloatReprSize bytes, not terminated); returns its length.
constexpr std::size_t kFloatReprSize = 40;
std::size_t python_float_repr(double d, char* buf);
// True when `token` certainly is python_float_repr of the value it denotes, known without
// formatting that value: a nonzero number in fixed notation ("-12.5", "0.0031", "1630070652.111234")
// whose digits are too few for a shorter decimal to read as the same double. False: not known
// (parse, format and compare). A fast path: exactly what the comparison would answer, or false.
bool plainly_python_float_repr(std::string_view token);

// The name a JSON type has in a user-facing message: "a string", "an object", "null", ...
std::string describe_type(const Json& v);

// `object[key]` when it is a string, else `fallback` (absent, null, another type, or `object` not
// an object). Never throws: nlohmann's value(key, default) throws when the key holds another type,
// and every input here may be hostile.
std::string string_or(const Json& object, std::string_view key, std::string fallback = {});

}  // namespace convo
