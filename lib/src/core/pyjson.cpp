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

double as_double(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

}  // namespace

bool py_equal(const Json& a, const Json& b) {
  if (is_numeric(a) && is_numeric(b)) {
    if (a.is_number_integer() && b.is_number_integer()) {
      // Exact for large integers, where a double comparison would round.
      if (a.is_number_unsigned() || b.is_number_unsigned()) return a == b;
      return a.get<std::int64_t>() == b.get<std::int64_t>();
    }
    return as_double(a) == as_double(b);
  }
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

std::string py_str(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "None";
    case Json::value_t::boolean: return v.get<bool>() ? "True" : "False";
    case Json::value_t::string: return v.get<std::string>();
    default: return v.dump();
  }
}

std::string dump_compact(const Json& v, bool ascii) {
  return v.dump(-1, ' ', ascii, Json::error_handler_t::replace);
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
