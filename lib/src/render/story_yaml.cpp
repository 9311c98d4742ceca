// ruamel.yaml's emitter rules for the story export: scalar analysis, quoting styles, line
// breaking and indentation (rasa/shared/utils/io.py dumps with ruamel's round-trip dumper).
#include "story_yaml.hpp"
#include "convo/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

// Everything here has external linkage within convo::story_yaml; only the header's names are
// meant for other files.
namespace convo::story_yaml {


// ---------------------------------------------------------------------------------------------
// UTF-8 <-> code points (Python str semantics: lengths and columns count code points)

U32 to_u32(std::string_view s) {
  U32 out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    std::size_t n = 0;
    if (b < 0x80) {
      cp = b;
      n = 1;
    } else if ((b >> 5) == 0x6) {
      cp = b & 0x1F;
      n = 2;
    } else if ((b >> 4) == 0xE) {
      cp = b & 0x0F;
      n = 3;
    } else if ((b >> 3) == 0x1E) {
      cp = b & 0x07;
      n = 4;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + n > s.size()) {
      out.push_back(0xFFFD);
      break;
    }
    bool ok = true;
    for (std::size_t k = 1; k < n; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string to_utf8(const U32& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// ruamel.yaml's YAML 1.2 implicit resolvers: would this text, written plain, read back as
// something other than a string?

bool is_digit(char32_t c) {
  return c >= '0' && c <= '9';
}
bool in_set(char32_t c, std::u32string_view set) {
  return set.find(c) != std::u32string_view::npos;
}

// Consumes one or more characters of `set` starting at i; false when there is none.
bool many(const U32& s, std::size_t& i, std::u32string_view set) {
  std::size_t start = i;
  while (i < s.size() && in_set(s[i], set)) ++i;
  return i > start;
}
bool digits(const U32& s, std::size_t& i) {
  return many(s, i, U"0123456789");
}
bool lit(const U32& s, std::size_t& i, std::u32string_view text) {
  if (s.compare(i, text.size(), text.data(), text.size()) != 0) return false;
  i += text.size();
  return true;
}
void opt_sign(const U32& s, std::size_t& i) {
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
}

bool matches_int(const U32& s) {
  // [-+]?0b[0-1_]+ | [-+]?0o?[0-7_]+ | [-+]?[0-9_]+ | [-+]?0x[0-9a-fA-F_]+
  std::size_t b = 0;
  opt_sign(s, b);
  auto whole = [&](auto&& fn) {
    std::size_t i = b;
    return fn(i) && i == s.size();
  };
  if (whole([&](std::size_t& i) { return lit(s, i, U"0b") && many(s, i, U"01_"); })) return true;
  if (whole([&](std::size_t& i) {
        if (!lit(s, i, U"0")) return false;
        if (i < s.size() && s[i] == 'o') {
          std::size_t j = i + 1;
          if (many(s, j, U"01234567_") && j == s.size()) {
            i = j;
            return true;
          }
        }
        return many(s, i, U"01234567_");
      }))
    return true;
  if (whole([&](std::size_t& i) { return many(s, i, U"0123456789_"); })) return true;
  return whole(
      [&](std::size_t& i) { return lit(s, i, U"0x") && many(s, i, U"0123456789abcdefABCDEF_"); });
}

bool matches_float(const U32& s) {
  const std::size_t n = s.size();
  std::size_t b = 0;
  opt_sign(s, b);
  auto exponent = [&](std::size_t& i, bool sign_required) {
    if (i >= n || (s[i] != 'e' && s[i] != 'E')) return false;
    ++i;
    if (i < n && (s[i] == '-' || s[i] == '+'))
      ++i;
    else if (sign_required)
      return false;
    return digits(s, i);
  };
  {  // [0-9][0-9_]* \. [0-9_]* ([eE][-+]?[0-9]+)?
    std::size_t i = b;
    if (i < n && is_digit(s[i])) {
      ++i;
      many(s, i, U"0123456789_");
      if (i < n && s[i] == '.') {
        ++i;
        many(s, i, U"0123456789_");
        if (i == n) return true;
        std::size_t j = i;
        if (exponent(j, false) && j == n) return true;
      }
    }
  }
  {  // [0-9][0-9_]* [eE][-+]?[0-9]+
    std::size_t i = b;
    if (i < n && is_digit(s[i])) {
      ++i;
      many(s, i, U"0123456789_");
      if (exponent(i, false) && i == n) return true;
    }
  }
  {  // \. [0-9_]+ ([eE][-+][0-9]+)?
    std::size_t i = b;
    if (i < n && s[i] == '.') {
      ++i;
      if (many(s, i, U"0123456789_")) {
        if (i == n) return true;
        if (exponent(i, true) && i == n) return true;
      }
    }
  }
  {  // \.(inf|Inf|INF)
    U32 rest = s.substr(b);
    if (rest == U".inf" || rest == U".Inf" || rest == U".INF") return true;
  }
  return s == U".nan" || s == U".NaN" || s == U".NAN";
}

bool matches_timestamp(const U32& s) {
  const std::size_t n = s.size();
  auto fixed_digits = [&](std::size_t& i, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k, ++i)
      if (i >= n || !is_digit(s[i])) return false;
    return true;
  };
  auto one_or_two = [&](std::size_t& i) {
    if (i >= n || !is_digit(s[i])) return false;
    ++i;
    if (i < n && is_digit(s[i])) ++i;
    return true;
  };
  {  // dddd-dd-dd
    std::size_t i = 0;
    if (fixed_digits(i, 4) && lit(s, i, U"-") && fixed_digits(i, 2) && lit(s, i, U"-") &&
        fixed_digits(i, 2) && i == n)
      return true;
  }
  // dddd-d?d-d?d ([Tt]|[ \t]+) d?d:dd:dd (\.d*)? ([ \t]*(Z|[-+]d?d(:dd)?))?
  std::size_t i = 0;
  if (!(fixed_digits(i, 4) && lit(s, i, U"-") && one_or_two(i) && lit(s, i, U"-") && one_or_two(i)))
    return false;
  if (i < n && (s[i] == 'T' || s[i] == 't')) {
    ++i;
  } else if (!many(s, i, U" \t")) {
    return false;
  }
  if (!(one_or_two(i) && lit(s, i, U":") && fixed_digits(i, 2) && lit(s, i, U":") &&
        fixed_digits(i, 2)))
    return false;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && is_digit(s[i])) ++i;
  }
  if (i == n) return true;
  many(s, i, U" \t");
  if (i < n && s[i] == 'Z') {
    ++i;
  } else if (i < n && (s[i] == '-' || s[i] == '+')) {
    ++i;
    if (!one_or_two(i)) return false;
    if (i < n && s[i] == ':') {
      ++i;
      if (!fixed_digits(i, 2)) return false;
    }
  } else {
    return false;
  }
  return i == n;
}

// ruamel's resolver picks the candidate resolvers by the first character, then matches.
bool resolves_as_str(const U32& s) {
  if (s.empty()) return false;  // null
  char32_t c = s[0];
  if (in_set(c, U"tTfF") && (s == U"true" || s == U"True" || s == U"TRUE" || s == U"false" ||
                             s == U"False" || s == U"FALSE"))
    return false;
  if (in_set(c, U"-+0123456789.") && matches_float(s)) return false;
  if (in_set(c, U"-+0123456789") && matches_int(s)) return false;
  if (s == U"<<") return false;
  if (s == U"~" || s == U"null" || s == U"Null" || s == U"NULL") return false;
  if (is_digit(c) && matches_timestamp(s)) return false;
  if (s == U"=") return false;
  if (s == U"!" || s == U"&" || s == U"*") return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// ruamel.yaml's emitter, the parts a block-style story document needs

bool is_break(char32_t c) {
  return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}
bool is_blank_or_end(char32_t c) {  // '\0 \t\r\n\x85\u2028\u2029'
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || is_break(c);
}

Analysis analyze_scalar(const U32& s) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    return a;
  }
  bool block_indicators = false;
  bool line_breaks = false;
  bool special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  if (s.compare(0, 3, U"---") == 0 || s.compare(0, 3, U"...") == 0) block_indicators = true;
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = s.size() == 1 || is_blank_or_end(s[1]);
  bool previous_space = false, previous_break = false;
  const std::size_t n = s.size();
  for (std::size_t index = 0; index < n; ++index) {
    char32_t ch = s[index];
    if (index == 0) {
      if (in_set(ch, U"#,[]{}&*!|>'\"%@`")) block_indicators = true;
      if ((ch == '?' || ch == ':') && followed_by_whitespace) block_indicators = true;
      if (ch == '-' && followed_by_whitespace) block_indicators = true;
    } else {
      if (ch == ':' && followed_by_whitespace) block_indicators = true;
      if (ch == '#' && preceded_by_whitespace) block_indicators = true;
    }
    if (is_break(ch)) line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
      bool printable = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) ||
                        (ch >= 0xE000 && ch <= 0xFFFD) || (ch >= 0x10000 && ch <= 0x10FFFF)) &&
                       ch != 0xFEFF;
      if (!printable) special_characters = true;  // allow_unicode: printable unicode is kept as is
    }
    if (ch == ' ') {
      if (index == 0) leading_space = true;
      if (index == n - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(ch)) {
      if (index == 0) leading_break = true;
      if (index == n - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = is_blank_or_end(ch);
    followed_by_whitespace = index + 2 >= n || is_blank_or_end(s[index + 2]);
  }
  if (leading_space || leading_break || trailing_space || trailing_break)
    a.allow_block_plain = false;
  if (break_space) a.allow_block_plain = a.allow_single_quoted = false;
  if (special_characters || space_break) a.allow_block_plain = a.allow_single_quoted = false;
  if (line_breaks) a.allow_block_plain = false;
  if (block_indicators) a.allow_block_plain = false;
  a.multiline = line_breaks;
  return a;
}


// A node of the document the story writer builds (the Python objects ruamel represents).

YNode from_json(const Json& v) {
  if (v.is_array()) {
    YNode n = YNode::seq();
    for (const auto& item : v) n.items.push_back(from_json(item));
    return n;
  }
  if (v.is_object()) {
    YNode n = YNode::map();
    for (const auto& [k, item] : v.items()) n.add(k, from_json(item));
    return n;
  }
  return YNode::value(v);
}

// The text a scalar is represented with, and the length of its tag as check_simple_key counts it.
std::pair<U32, std::size_t> represent(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return {U"null", 6};  // !!null
    case Json::value_t::boolean:
      return {v.get<bool>() ? U"true" : U"false", 6};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return {to_u32(v.dump()), 5};
    case Json::value_t::number_float: {
      const std::string r = ascii_lower(python_float_repr(v.get<double>()));
      return {to_u32(r), 7};
    }
    case Json::value_t::string:
      return {to_u32(v.get_ref<const std::string&>()), 5};
    default:
      return {to_u32(v.dump()), 5};
  }
}

}  // namespace convo::story_yaml
