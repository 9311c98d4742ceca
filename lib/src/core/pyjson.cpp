#include "convo/core/json.hpp"

#include <cmath>

namespace convo {

bool py_truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return v.get<bool>();
    case Json::value_t::number_integer: return v.get<std::int64_t>() != 0;
    case Json::value_t::number_unsigned: return v.get<std::uint64_t>() != 0;
    case Json::value_t::number_float: return v.get<double>() != 0.0;
    case Json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !v.empty();
    default: return true;
  }
}

namespace {

bool is_numeric(const Json& v) { return v.is_number() || v.is_boolean(); }


// Python compares int and float exactly (9007199254740993 != 9007199254740992.0).
bool int_equals_float(const Json& i, double d) {
  if (!std::isfinite(d) || std::floor(d) != d) return false;
  if (d < -9223372036854775808.0 || d >= 18446744073709551616.0) return false;
  if (i.is_number_unsigned()) return d >= 0 && static_cast<std::uint64_t>(d) == i.get<std::uint64_t>();
  if (d >= 9223372036854775808.0) return false;
  return static_cast<std::int64_t>(d) == i.get<std::int64_t>();
}

bool ints_equal(const Json& a, const Json& b) {
  if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  if (a.is_number_unsigned()) return b.get<std::int64_t>() >= 0 && a.get<std::uint64_t>() == static_cast<std::uint64_t>(b.get<std::int64_t>());
  if (b.is_number_unsigned()) return ints_equal(b, a);
  return a.get<std::int64_t>() == b.get<std::int64_t>();
}

Json bool_as_int(const Json& v) { return v.is_boolean() ? Json(v.get<bool>() ? 1 : 0) : v; }

}  // namespace

bool py_equal(const Json& a_in, const Json& b_in) {
  if (is_numeric(a_in) && is_numeric(b_in)) {
    Json a = bool_as_int(a_in), b = bool_as_int(b_in);
    if (a.is_number_integer() && b.is_number_integer()) return ints_equal(a, b);
    if (a.is_number_integer()) return int_equals_float(a, b.get<double>());
    if (b.is_number_integer()) return int_equals_float(b, a.get<double>());
    return a.get<double>() == b.get<double>();
  }
  const Json& a = a_in;
  const Json& b = b_in;
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!py_equal(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a.items()) {
      auto it = b.find(key);
      if (it == b.end() || !py_equal(value, *it)) return false;
    }
    return true;
  }
  return a == b;
}

namespace {

// Python's repr() of a string: single quotes unless the text has ' and no ".
std::string py_repr_string(const std::string& s) {
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (c == '\t') { out += "\\t"; continue; }
    if (c == '\r') { out += "\\r"; continue; }
    out += c;
  }
  return out + quote;
}

std::string py_repr(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return py_repr_string(v.get<std::string>());
    case Json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + py_repr(v[i]);
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        out += (first ? "" : ", ") + py_repr_string(k) + ": " + py_repr(x);
        first = false;
      }
      return out + "}";
    }
    default: return py_str(v);
  }
}

}  // namespace

std::string py_str(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "None";
    case Json::value_t::boolean: return v.get<bool>() ? "True" : "False";
    case Json::value_t::string: return v.get<std::string>();
    case Json::value_t::number_float: return python_float_repr(v.get<double>());
    case Json::value_t::array:
    case Json::value_t::object: return py_repr(v);
    default: return v.dump();
  }
}

std::variant<Json, JsonProblem> parse_json_text(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2: msg".
    std::string what = e.what();
    auto colon = what.find(": ", what.find("parse error"));
    return JsonProblem{colon == std::string::npos ? what : what.substr(colon + 2), e.byte};
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406 "number overflow parsing '1e400'" and the like.
    std::string what = e.what();
    auto bracket = what.find("] ");
    return JsonProblem{bracket == std::string::npos ? what : what.substr(bracket + 2), 0};
  }
}

std::string string_or(const Json& object, std::string_view key, std::string fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string describe_type(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "a value";
  }
}

}  // namespace convo
