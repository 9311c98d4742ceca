// Python's json.dumps(obj) byte for byte (default arguments), for text Rasa reads back or compares.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>

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

bool plainly_python_float_repr(std::string_view token) {
  // Python writes a double's shortest round-trip digits (the nearest when several are shortest),
  // in fixed notation while its decimal exponent is in -4..15, with no trailing zero but the one
  // of "x.0". A fixed-notation token t with n significant digits, last digit nonzero, at place p:
  //   n <= 15: distinct decimals of at most 15 digits read as distinct doubles, so no shorter
  //            one reads as t's double, and no other of n digits does either;
  //   n 16-17: every decimal that reads as t's double d lies within ulp(d) of t, and any other
  //            decimal of at most n digits near t is a multiple of p: at least p away. So p > ulp(d)
  //            settles it (e.g. a time.time() stamp, 1.6e9 with six decimals: p = 1e-6, ulp 2.4e-7).
  std::size_t i = token.size() && token[0] == '-' ? 1 : 0;
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == i || dot + 1 >= token.size()) return false;
  const std::string_view whole = token.substr(i, dot - i), frac = token.substr(dot + 1);
  for (std::string_view part : {whole, frac})
    for (char c : part)
      if (c < '0' || c > '9') return false;  // an exponent, or not a number
  if (whole.size() > 1 && whole[0] == '0') return false;
  std::size_t digits = 0;  // significant
  if (frac == "0") {  // "x.0": an integral value, fixed notation up to 15 digits
    if (whole == "0" || whole.size() > 15) return false;
    return true;
  }
  if (frac.back() == '0') return false;  // Python writes no trailing zero here
  if (whole == "0") {
    const std::size_t zeros = frac.find_first_not_of('0');
    if (zeros > 3) return false;  // below 1e-4: scientific notation
    digits = frac.size() - zeros;
  } else {
    if (whole.size() > 16) return false;  // 1e16 and above: scientific notation
    digits = whole.size() + frac.size();
  }
  if (digits <= 15) return true;
  if (digits > 17) return false;
  // An upper bound of |t| (|t| < 2^e), so that ulp(d) <= 2^(e-53), doubled for a d that rounds
  // up to 2^e itself; no parsing needed.
  static constexpr double kTenths[] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10,
                                       1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20};
  if (frac.size() >= std::size(kTenths)) return false;
  double upper = 0;
  if (whole == "0") {
    upper = kTenths[frac.find_first_not_of('0')];  // 0.00d... < 10^-zeros
  } else {
    std::uint64_t w = 0;
    for (char c : whole) w = w * 10 + static_cast<std::uint64_t>(c - '0');
    upper = static_cast<double>(w) + 2;  // +2: the conversion may round down
  }
  int exponent = 0;
  std::frexp(upper, &exponent);
  return kTenths[frac.size()] > std::ldexp(1.0, exponent - 52) * (1 + 1e-9);  // the margin: kTenths' rounding
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
