// Python's json.dumps(obj) byte for byte (default arguments), for text Rasa reads back or compares.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "convo/core/json.hpp"
#include "convo/core/text.hpp"

namespace convo {

std::size_t python_float_repr(double d, char* buf) {
  auto put = [&](const char* text) { return static_cast<std::size_t>(std::snprintf(buf, 16, "%s", text)); };
  if (std::isnan(d)) return put("NaN");
  if (std::isinf(d)) return put(d > 0 ? "Infinity" : "-Infinity");
  char sci[48];  // "-1.2345e+09": shortest digits in scientific form
  char* end = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific).ptr;
  const char* p = sci;
  char* out = buf;
  if (*p == '-') *out++ = *p++;
  char digits[24];
  std::size_t n = 0;
  for (; p < end && *p != 'e'; ++p)
    if (*p != '.') digits[n++] = *p;
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+'), end, exponent);
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
      for (std::size_t i = 0; i < whole; ++i) *out++ = i < n ? digits[i] : '0';
      *out++ = '.';
      if (n > whole) {
        for (std::size_t i = whole; i < n; ++i) *out++ = digits[i];
      } else {
        *out++ = '0';
      }
    } else {
      *out++ = '0';
      *out++ = '.';
      for (int i = 0; i < -exponent - 1; ++i) *out++ = '0';
      for (std::size_t i = 0; i < n; ++i) *out++ = digits[i];
    }
  } else {
    *out++ = digits[0];
    if (n > 1) {
      *out++ = '.';
      for (std::size_t i = 1; i < n; ++i) *out++ = digits[i];
    }
    out += std::snprintf(out, 8, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  return static_cast<std::size_t>(out - buf);
}

std::string python_float_repr(double d) {
  char buf[kFloatReprSize];
  return std::string(buf, python_float_repr(d, buf));
}

void append_json_code_point(std::string& out, std::uint32_t cp, bool ascii) {
  switch (cp) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;  // not a character
  auto escape_u = [&](std::uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    const char b[6] = {'\\', 'u', digits[(v >> 12) & 15], digits[(v >> 8) & 15], digits[(v >> 4) & 15], digits[v & 15]};
    out.append(b, 6);
  };
  if (cp < 0x20 || (cp == 0x7F && ascii)) {
    escape_u(cp);
  } else if (!ascii || cp < 0x80) {
    append_utf8(out, cp);
  } else if (cp >= 0x10000) {
    escape_u(0xD800 + ((cp - 0x10000) >> 10));
    escape_u(0xDC00 + ((cp - 0x10000) & 0x3FF));
  } else {
    escape_u(cp);
  }
}

namespace {

void append_escaped(std::string& out, const std::string& s, bool ascii) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    } else if (c >= 0x80) {
      cp = 0xFFFD;  // a stray byte: what a lenient UTF-8 decoder substitutes
    }
    i += len;
    append_json_code_point(out, cp, ascii);
  }
  out += '"';
}

// Python's json.dumps (python: ", " and ": ", ASCII only) or its compact form (separators
// "," and ":", UTF-8 as is: what Rasa's HTTP API sends).
void append_json(std::string& out, const Json& v, bool python) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); break;
    case Json::value_t::number_float: {
      char buf[kFloatReprSize];
      out.append(buf, python_float_repr(v.get<double>(), buf));
      break;
    }
    case Json::value_t::string: append_escaped(out, v.get_ref<const std::string&>(), python); break;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v) {
        if (!first) out += python ? ", " : ",";
        first = false;
        append_json(out, x, python);
      }
      out += ']';
      break;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        if (!first) out += python ? ", " : ",";
        first = false;
        append_escaped(out, k, python);
        out += python ? ": " : ":";
        append_json(out, x, python);
      }
      out += '}';
      break;
    }
    default: out += "null"; break;
  }
}

}  // namespace

std::string dump_python(const Json& v) {
  std::string out;
  append_json(out, v, true);
  return out;
}

std::string dump_compact(const Json& v) {
  std::string out;
  append_json(out, v, false);
  return out;
}

}  // namespace convo
