// Rasa 2.8's YAML test-story export of a tracker (rasa/server.py get_test_stories,
// rasa/shared/core/training_data/story_writer/yaml_story_writer.py) and the part of ruamel.yaml's
// round-trip emitter that its output goes through (block style, indent 2, dash offset 0,
// width 4096, unicode allowed, None written as `null`).
#include "convo/core/story_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace convo {
namespace {

using U32 = std::u32string;
constexpr char32_t kNone = 0xFFFFFFFF;  // "no character" (Python's ch = None at the end)

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

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
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

struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
};

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

constexpr int kBestWidth = 4096;  // rasa.shared.utils.io.YAML_LINE_MAX_WIDTH
constexpr int kBestIndent = 2;

// A node of the document the story writer builds (the Python objects ruamel represents).
struct YNode {
  enum class Kind { Scalar, DoubleQuoted, Literal, Seq, Map };
  Kind kind = Kind::Scalar;
  Json scalar;       // Scalar: a JSON string, number, boolean or null
  std::string text;  // DoubleQuoted, Literal
  std::vector<YNode> items;
  std::vector<std::pair<YNode, YNode>> entries;

  static YNode value(Json v) {
    YNode n;
    n.kind = Kind::Scalar;
    n.scalar = std::move(v);
    return n;
  }
  static YNode styled(Kind kind, std::string text) {
    YNode n;
    n.kind = kind;
    n.text = std::move(text);
    return n;
  }
  static YNode seq() {
    YNode n;
    n.kind = Kind::Seq;
    return n;
  }
  static YNode map() {
    YNode n;
    n.kind = Kind::Map;
    return n;
  }
  void add(std::string key, YNode v) {
    entries.emplace_back(value(Json(std::move(key))), std::move(v));
  }
  bool is_collection() const { return kind == Kind::Seq || kind == Kind::Map; }
  bool is_empty_collection() const {
    return (kind == Kind::Seq && items.empty()) || (kind == Kind::Map && entries.empty());
  }
};

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
      std::string r = python_float_repr(v.get<double>());
      std::transform(r.begin(), r.end(), r.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return {to_u32(r), 7};
    }
    case Json::value_t::string:
      return {to_u32(v.get_ref<const std::string&>()), 5};
    default:
      return {to_u32(v.dump()), 5};
  }
}

class Emitter {
 public:
  std::string take() { return std::move(out_); }

  void document(const YNode& root) {
    emit_map(root, 0);
    // DocumentEnd, then StreamEnd (with the `...` marker when a `|+` scalar ended the text).
    write_indent(0);
    if (open_ended_) {
      write_indicator("...", true);
      write_indent(0);
    }
  }

 private:
  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool open_ended_ = false;

  void write(const U32& text, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) append_utf8(out_, text[i]);
    column_ += static_cast<int>(to - from);
  }
  void write_ascii(std::string_view data) {
    out_ += data;
    column_ += static_cast<int>(data.size());
  }
  void write_line_break(char32_t br = '\n') {
    append_utf8(out_, br);
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
  }
  void write_indent(int indent) {
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) write_line_break();
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<std::size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }
  void write_indicator(std::string_view indicator, bool need_whitespace, bool whitespace = false,
                       bool indention = false) {
    if (!(whitespace_ || !need_whitespace)) write_ascii(" ");
    write_ascii(indicator);
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    open_ended_ = false;
  }

  // --- collections ---------------------------------------------------------------------------

  void emit_map(const YNode& map, int indent) {
    for (const auto& [key, value] : map.entries) {
      write_indent(indent);
      emit_entry(key, value, indent);
    }
  }

  void emit_seq(const YNode& seq, int dash_column) {
    for (const auto& item : seq.items) {
      write_indent(dash_column);
      write_indicator("-", true, false, true);
      emit_inline(item, dash_column);
    }
  }

  // A node right after an indicator (`-`, `?`, `:`) standing at `column`.
  void emit_inline(const YNode& node, int column) {
    if (node.is_empty_collection()) return write_empty(node);
    if (node.kind == YNode::Kind::Map) return emit_map(node, column + kBestIndent);
    if (node.kind == YNode::Kind::Seq) return emit_seq(node, column + kBestIndent);
    emit_scalar(node, column + kBestIndent, false);
  }

  void write_empty(const YNode& node) {
    bool seq = node.kind == YNode::Kind::Seq;
    write_indicator(seq ? "[" : "{", true, true);
    write_indicator(seq ? "]" : "}", false);
  }

  void emit_entry(const YNode& key, const YNode& value, int indent) {
    auto [text, tag_length] = represent(key.scalar);
    Analysis a = analyze_scalar(text);
    bool simple = text.size() + tag_length < 128 && !a.multiline;
    if (!simple) {  // explicit key: `? key` then `: value`
      write_indicator("?", true, false, true);
      emit_scalar(key, indent + kBestIndent, false);
      write_indent(indent);
      write_indicator(":", true, false, true);
      emit_inline(value, indent);
      return;
    }
    emit_scalar(key, indent + kBestIndent, true);
    write_indicator(":", false);
    if (value.is_empty_collection()) return write_empty(value);
    if (value.kind == YNode::Kind::Map) return emit_map(value, indent + kBestIndent);
    if (value.kind == YNode::Kind::Seq)
      return emit_seq(value, indent);  // block sequences sit under their key
    emit_scalar(value, indent + kBestIndent, false);
  }

  // --- scalars ---------------------------------------------------------------------------------

  void emit_scalar(const YNode& node, int indent, bool simple_key) {
    const bool split = !simple_key;
    if (node.kind == YNode::Kind::DoubleQuoted)
      return write_double_quoted(to_u32(node.text), split, indent);
    if (node.kind == YNode::Kind::Literal) return write_literal(to_u32(node.text), indent);
    auto [text, tag_length] = represent(node.scalar);
    (void)tag_length;
    if (!node.scalar.is_string())
      return write_plain(text, split, indent);  // they resolve to their own tag
    Analysis a = analyze_scalar(text);
    if (resolves_as_str(text) && !(simple_key && (a.empty || a.multiline)) && a.allow_block_plain)
      return write_plain(text, split, indent);
    if (text.find(U'\'') != U32::npos || text.find(U'\n') != U32::npos)
      return write_double_quoted(text, split, indent);
    if (a.allow_single_quoted && !(simple_key && a.multiline))
      return write_single_quoted(text, split, indent);
    write_double_quoted(text, split, indent);
  }

  void write_plain(const U32& text, bool split, int indent) {
    if (text.empty()) return;
    if (!whitespace_) write_ascii(" ");
    whitespace_ = false;
    indention_ = false;
    bool spaces = false, breaks = false;
    std::size_t start = 0, end = 0;
    while (end <= text.size()) {
      char32_t ch = end < text.size() ? text[end] : kNone;
      if (spaces) {
        if (ch != ' ') {
          if (start + 1 == end && column_ > kBestWidth && split) {
            write_indent(indent);
            whitespace_ = false;
            indention_ = false;
          } else {
            write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch == kNone || !is_break(ch)) {
          if (text[start] == '\n') write_line_break();
          for (std::size_t k = start; k < end; ++k) write_line_break(text[k]);
          write_indent(indent);
          whitespace_ = false;
          indention_ = false;
          start = end;
        }
      } else if (ch == kNone || ch == ' ' || is_break(ch)) {
        write(text, start, end);
        start = end;
      }
      if (ch != kNone) {
        spaces = ch == ' ';
        breaks = is_break(ch);
      }
      ++end;
    }
  }

  void write_single_quoted(const U32& text, bool split, int indent) {
    write_indicator("'", true);
    bool spaces = false, breaks = false;
    std::size_t start = 0, end = 0;
    while (end <= text.size()) {
      char32_t ch = end < text.size() ? text[end] : kNone;
      if (spaces) {
        if (ch == kNone || ch != ' ') {
          if (start + 1 == end && column_ > kBestWidth && split && start != 0 &&
              end != text.size()) {
            write_indent(indent);
          } else {
            write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch == kNone || !is_break(ch)) {
          if (text[start] == '\n') write_line_break();
          for (std::size_t k = start; k < end; ++k) write_line_break(text[k]);
          write_indent(indent);
          start = end;
        }
      } else if (ch == kNone || ch == ' ' || is_break(ch) || ch == '\'') {
        if (start < end) {
          write(text, start, end);
          start = end;
        }
      }
      if (ch == '\'') {
        write_ascii("''");
        start = end + 1;
      }
      if (ch != kNone) {
        spaces = ch == ' ';
        breaks = is_break(ch);
      }
      ++end;
    }
    write_indicator("'", false);
  }

  static const char* escape_for(char32_t ch) {
    switch (ch) {
      case 0x00:
        return "0";
      case 0x07:
        return "a";
      case 0x08:
        return "b";
      case 0x09:
        return "t";
      case 0x0A:
        return "n";
      case 0x0B:
        return "v";
      case 0x0C:
        return "f";
      case 0x0D:
        return "r";
      case 0x1B:
        return "e";
      case '"':
        return "\"";
      case '\\':
        return "\\";
      case 0x85:
        return "N";
      case 0xA0:
        return "_";
      case 0x2028:
        return "L";
      case 0x2029:
        return "P";
      default:
        return nullptr;
    }
  }

  void write_double_quoted(const U32& text, bool split, int indent) {
    write_indicator("\"", true);
    std::size_t start = 0, end = 0;
    const std::size_t n = text.size();
    while (end <= n) {
      char32_t ch = end < n ? text[end] : kNone;
      bool plain_char = ch != kNone && ch != '"' && ch != '\\' && ch != 0x85 && ch != 0x2028 &&
                        ch != 0x2029 && ch != 0xFEFF &&
                        ((ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) ||
                         (ch >= 0xE000 && ch <= 0xFFFD));
      if (!plain_char) {
        if (start < end) {
          write(text, start, end);
          start = end;
        }
        if (ch != kNone) {
          std::string data = "\\";
          if (const char* e = escape_for(ch)) {
            data += e;
          } else {
            char buf[16];
            if (ch <= 0xFF)
              std::snprintf(buf, sizeof buf, "x%02X", static_cast<unsigned>(ch));
            else if (ch <= 0xFFFF)
              std::snprintf(buf, sizeof buf, "u%04X", static_cast<unsigned>(ch));
            else
              std::snprintf(buf, sizeof buf, "U%08X", static_cast<unsigned>(ch));
            data += buf;
          }
          write_ascii(data);
          start = end + 1;
        }
      }
      if (end > 0 && end + 1 < n && (ch == ' ' || start >= end) &&
          column_ + (static_cast<long>(end) - static_cast<long>(start)) > kBestWidth && split) {
        if (start < end) {
          write(text, start, end);
          start = end;
        }
        write_ascii("\\");
        write_indent(indent);
        whitespace_ = false;
        indention_ = false;
        if (text[start] == ' ') write_ascii("\\");
      }
      ++end;
    }
    write_indicator("\"", false);
  }

  void write_literal(const U32& text, int indent) {
    std::string hints;
    char indicator = 0;
    if (!text.empty()) {
      if (text[0] == ' ' || is_break(text[0])) hints += std::to_string(kBestIndent);
      if (!is_break(text.back()))
        indicator = '-';
      else if (text.size() == 1 || is_break(text[text.size() - 2]))
        indicator = '+';
    }
    if (indicator) hints += indicator;
    write_indicator("|" + hints, true);
    if (indicator == '+') open_ended_ = true;
    write_line_break();
    bool breaks = true;
    std::size_t start = 0, end = 0;
    while (end <= text.size()) {
      char32_t ch = end < text.size() ? text[end] : kNone;
      if (breaks) {
        if (ch == kNone || !is_break(ch)) {
          for (std::size_t k = start; k < end; ++k) write_line_break(text[k]);
          if (ch != kNone) write_indent(indent);
          start = end;
        }
      } else if (ch == kNone || is_break(ch)) {
        write(text, start, end);
        if (ch == kNone) write_line_break();
        start = end;
      }
      if (ch != kNone) breaks = is_break(ch);
      ++end;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Python semantics the writer's helpers rely on

struct WriteError {
  std::string message;
};

// Python's slice bounds text[a:b] for int-or-None indices.
std::size_t slice_bound(const Json& index, std::size_t length, bool is_start) {
  if (index.is_null()) return is_start ? 0 : length;
  long long i = 0;
  if (index.is_boolean()) {
    i = index.get<bool>() ? 1 : 0;
  } else if (index.is_number_integer()) {
    i = index.get<long long>();
  } else if (index.is_number_unsigned()) {
    auto u = index.get<std::uint64_t>();
    i = u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<long long>(u);
  } else {
    throw WriteError{"slice indices must be integers or None or have an __index__ method"};
  }
  const auto len = static_cast<long long>(length);
  if (i < 0) i = std::max(0LL, i + len);
  return static_cast<std::size_t>(std::min(i, len));
}

U32 py_slice(const U32& text, const Json& from, const Json& to) {
  std::size_t a = slice_bound(from, text.size(), true);
  std::size_t b = slice_bound(to, text.size(), false);
  return b > a ? text.substr(a, b - a) : U32();
}

const char* py_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "NoneType";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::string:
      return "str";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "dict";
    default:
      return "object";
  }
}

// ---------------------------------------------------------------------------------------------
// rasa.shared.core.events.format_message: the user text with inline entity annotations

const char* kDocsTrainingDataNlu =
    "https://rasa.com/docs/rasa/training-data-format#nlu-training-data";
const char* kDocsTrainingData = "https://rasa.com/docs/rasa/training-data-format";

struct EntityMatch {
  std::size_t begin = 0, end = 0;  // the whole annotation
  U32 entity_text;
  bool is_dict = false;
  U32 dict_body;  // between the braces
};

// ENTITY_REGEX:
// \[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)|\{(?P<entity_dict>[^}]+?)\})
bool match_entity_at(const U32& s, std::size_t at, EntityMatch& m) {
  const std::size_t n = s.size();
  if (s[at] != '[') return false;
  std::size_t close = s.find(U']', at + 1);
  if (close == U32::npos || close == at + 1) return false;
  std::size_t i = close + 1;
  if (i >= n) return false;
  if (s[i] == '(') {
    std::size_t j = i + 1;
    while (j < n && s[j] != ':' && s[j] != ')') ++j;
    if (j == i + 1 || j >= n) return false;  // the entity name needs a character, then ':' or ')'
    std::size_t finish;
    if (s[j] == ')') {
      finish = j + 1;
    } else {
      std::size_t paren = s.find(U')', j + 1);
      if (paren == U32::npos || paren == j + 1) return false;
      finish = paren + 1;
    }
    m = {at, finish, s.substr(at + 1, close - at - 1), false, {}};
    return true;
  }
  if (s[i] == '{') {
    std::size_t brace = s.find(U'}', i + 1);
    if (brace == U32::npos || brace == i + 1) return false;
    m = {at, brace + 1, s.substr(at + 1, close - at - 1), true, s.substr(i + 1, brace - i - 1)};
    return true;
  }
  return false;
}

std::vector<EntityMatch> find_entity_annotations(const U32& s) {
  std::vector<EntityMatch> found;
  std::size_t i = 0;
  while (i < s.size()) {
    EntityMatch m;
    if (match_entity_at(s, i, m)) {
      found.push_back(m);
      i = m.end;
    } else {
      ++i;
    }
  }
  return found;
}

// entities_parser.get_validated_dict: the braces' content must be JSON satisfying the entity
// schema.
void validate_entity_dict(const U32& body) {
  const std::string json_text = "{" + to_utf8(body) + "}";
  Json data;
  try {
    data = Json::parse(json_text);
  } catch (const std::exception&) {
    throw WriteError{"Incorrect training data format ('" + json_text + "'). More info at " +
                     std::string(kDocsTrainingDataNlu)};
  }
  auto fail = [&](const std::string& what) {
    throw WriteError{
        what +
        ". Failed to validate data, make sure your data is valid. For more information "
        "about the format visit " +
        std::string(kDocsTrainingData) + "."};
  };
  if (!data.is_object()) fail(dump_python(data) + " is not of type 'object'");
  if (!data.contains("entity")) fail("'entity' is a required property");
  for (const char* key : {"entity", "role", "group"})
    if (data.contains(key) && !data[key].is_string())
      fail(dump_python(data[key]) + " is not of type 'string'");
  if (data.contains("value") && !(data["value"].is_string() || (data["value"].is_number())))
    fail(dump_python(data["value"]) + " is not of type 'string', 'number'");
}

// Python's `<` between two entity start offsets, as sorted() needs it.
bool start_less(const Json& a, const Json& b) {
  if (a.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  auto num = [](const Json& v) {
    return v.is_boolean() ? (v.get<bool>() ? 1.0L : 0.0L) : v.get<long double>();
  };
  return num(a) < num(b);
}

U32 generate_entity(const U32& text, const Json& entity) {
  U32 entity_text = py_slice(text, entity.value("start", Json()), entity.value("end", Json()));
  Json type = entity.value("entity", Json());
  Json value = entity.value("value", Json());
  Json role = entity.value("role", Json());
  Json group = entity.value("group", Json());
  if (py_truthy(value) && py_equal(value, Json(to_utf8(entity_text)))) value = nullptr;
  U32 out = U"[" + entity_text + U"]";
  if (value.is_null() && role.is_null() && group.is_null())
    return out + U"(" + to_u32(py_str(type)) + U")";
  Json dict = Json::object();
  if (!type.is_null()) dict["entity"] = type;
  if (!role.is_null()) dict["role"] = role;
  if (!group.is_null()) dict["group"] = group;
  if (!value.is_null()) dict["value"] = value;
  return out + to_u32(dump_python(dict));
}

std::string format_message(const std::string& raw_text, const Json& intent, const Json& entities) {
  const U32 source = to_u32(raw_text);
  // parse_training_example: annotations already in the text are checked, then reduced to their
  // text.
  std::vector<EntityMatch> annotations = find_entity_annotations(source);
  for (const auto& m : annotations)
    if (m.is_dict) validate_entity_dict(m.dict_body);
  U32 text;
  std::size_t pos = 0;
  for (const auto& m : annotations) {
    text += source.substr(pos, m.begin - pos);
    text += m.entity_text;
    pos = m.end;
  }
  text += source.substr(pos);
  // Message.build splits the intent at its response key.
  if (py_truthy(intent)) {
    if (!intent.is_string())
      throw WriteError{std::string("'") + py_type_name(intent) +
                       "' object has no attribute 'split'"};
    const std::string& name = intent.get_ref<const std::string&>();
    if (std::count(name.begin(), name.end(), '/') > 1)
      throw WriteError{"Intent name '" + name +
                       "' is invalid, it cannot contain more than one '/'."};
  }
  // TrainingDataWriter.generate_message
  if (!text.empty() && text[0] == '/') return to_utf8(text);
  std::vector<const Json*> placed;
  if (entities.is_array())
    for (const auto& e : entities)
      if (e.is_object() && e.contains("start") && e.contains("end")) placed.push_back(&e);
  if (placed.size() > 1) {
    bool any_string = false, any_number = false;
    for (const Json* e : placed) {
      const Json& s = (*e)["start"];
      if (s.is_string())
        any_string = true;
      else if (s.is_number() || s.is_boolean())
        any_number = true;
      else
        throw WriteError{std::string("'<' not supported between instances of '") + py_type_name(s) +
                         "' and '" + py_type_name(s) + "'"};
    }
    if (any_string && any_number)
      throw WriteError{"'<' not supported between instances of 'str' and 'int'"};
    std::stable_sort(placed.begin(), placed.end(), [](const Json* a, const Json* b) {
      return start_less((*a)["start"], (*b)["start"]);
    });
  }
  U32 md;
  Json cursor = 0;
  for (const Json* e : placed) {
    md += py_slice(text, cursor, (*e)["start"]);
    md += generate_entity(text, *e);
    cursor = (*e)["end"];
  }
  md += py_slice(text, cursor, Json());
  return to_utf8(md);
}

// ---------------------------------------------------------------------------------------------
// Trackers: sessions, travel back in time, and the user events' featurization flag

bool is_action(const Event& e, std::string_view name) {
  if (e.type != EventType::Action) return false;
  const Json& n = e.get("name");
  return n.is_string() && n.get_ref<const std::string&>() == name;
}

Json intent_name_of(const Event& user) {
  auto pd = user.data.find("parse_data");
  if (pd == user.data.end() || !pd->is_object()) return nullptr;
  auto intent = pd->find("intent");
  if (intent == pd->end() || !intent->is_object()) return nullptr;
  auto it = intent->find("name");
  return it == intent->end() ? Json() : *it;
}

// UserUttered.use_text_for_featurization lives on the event object: set when the event is built,
// then overwritten by every `user_featurization` event applied while it is the latest message -
// in every tracker Rasa builds from the same event objects (store load, session split, until).
class Featurization {
 public:
  Json flag(const Event& user) const {
    auto it = flags_.find(&user);
    if (it != flags_.end()) return it->second;
    const bool text = py_truthy(user.get("text"));
    const bool intent = py_truthy(intent_name_of(user));
    if (text && !intent) return true;
    if (intent && !text) return false;
    return nullptr;
  }

  // One tracker built from these events (DialogueStateTracker.from_events / travel_back_in_time).
  void apply_all(const std::vector<EventPtr>& events) {
    std::deque<EventPtr> seen;
    AppliedEvents applied;
    latest_message_ = nullptr;
    latest_action_ = nullptr;
    for (const auto& e : events) {
      seen.push_back(e);
      applied.appended(seen, false);
      switch (e->type) {
        case EventType::Rewind:
        case EventType::Undo:  // _reset() then replay_events() over the applied events
          latest_message_ = nullptr;
          latest_action_ = nullptr;
          for (const auto& x : applied.events()) apply(*x);
          break;
        default:
          apply(*e);
      }
    }
  }

 private:
  void apply(const Event& e) {
    switch (e.type) {
      case EventType::User:
        latest_message_ = &e;
        break;
      case EventType::Action: {
        const Json& name = e.get("name");
        latest_action_ = py_truthy(name) ? name : e.get("action_text");
        break;
      }
      case EventType::Restart:
      case EventType::SessionStarted:
        latest_message_ = nullptr;
        latest_action_ = nullptr;
        break;
      case EventType::UserFeaturization:
        if (latest_action_.is_string() &&
            latest_action_.get_ref<const std::string&>() == "action_listen" &&
            latest_message_ != nullptr)
          flags_[latest_message_] = e.get("use_text_for_featurization");
        break;
      default:
        break;
    }
  }

  std::unordered_map<const Event*, Json> flags_;
  const Event* latest_message_ = nullptr;
  Json latest_action_;
};

std::vector<EventPtr> travel_back(const std::vector<EventPtr>& events, double until) {
  std::vector<EventPtr> kept;
  for (const auto& e : events) {
    const Json& ts = e->timestamp();
    if (!ts.is_number())
      throw WriteError{std::string("'<=' not supported between instances of '") + py_type_name(ts) +
                       "' and 'float'"};
    if (!(ts.get<double>() <= until)) break;
    kept.push_back(e);
  }
  return kept;
}

// events.split_events(events, ActionExecuted, {"action_name": "action_session_start"}, True)
std::vector<std::vector<EventPtr>> split_sessions(const std::deque<EventPtr>& events) {
  std::vector<std::vector<EventPtr>> parts;
  std::vector<EventPtr> current;
  for (const auto& e : events) {
    if (is_action(*e, "action_session_start")) {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    }
    current.push_back(e);
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// YAMLStoryWriter.process_story_step in test-story mode

std::optional<YNode> user_step(const Event& e, const Featurization& featurization) {
  YNode step = YNode::map();
  const Json intent = intent_name_of(e);
  const Json flag = featurization.flag(e);
  if (py_truthy(intent) && !py_truthy(flag)) step.add("intent", YNode::value(intent));
  const Json& text = e.get("text");
  if (py_truthy(text)) {
    if (!text.is_string()) throw WriteError{"expected string or bytes-like object"};
    const Json& entities = e.nlu_entities();
    step.add("user",
             YNode::styled(YNode::Kind::Literal,
                           format_message(text.get_ref<const std::string&>(), intent, entities)));
  }
  if (step.entries.empty()) return std::nullopt;
  return step;
}

std::optional<YNode> story_step(const Event& e, const Featurization& featurization) {
  switch (e.type) {
    case EventType::User:
      return user_step(e, featurization);
    case EventType::Action: {
      if (is_action(e, "action_listen") || is_action(e, "action_unlikely_intent") ||
          is_action(e, "action_session_start") || is_action(e, "..."))
        return std::nullopt;
      YNode step = YNode::map();
      if (py_truthy(e.get("name")))
        step.add("action", YNode::value(e.get("name")));
      else if (py_truthy(e.get("action_text")))
        step.add("bot", YNode::value(e.get("action_text")));
      if (step.entries.empty()) return std::nullopt;
      return step;
    }
    case EventType::Slot: {
      const Json& key = e.get("name");
      if (key.is_array() || key.is_object())
        throw WriteError{std::string("unhashable type: '") + py_type_name(key) + "'"};
      YNode entry = YNode::map();
      entry.entries.emplace_back(YNode::value(key), from_json(e.get("value")));
      YNode list = YNode::seq();
      list.items.push_back(std::move(entry));
      YNode step = YNode::map();
      step.add("slot_was_set", std::move(list));
      return step;
    }
    case EventType::ActiveLoop: {
      YNode step = YNode::map();
      step.add("active_loop", from_json(e.get("name")));
      return step;
    }
    default:
      return std::nullopt;
  }
}

std::string write_stories(const Tracker& tracker, bool all_sessions, std::optional<double> until) {
  Featurization featurization;
  std::vector<EventPtr> everything(tracker.events().begin(), tracker.events().end());
  featurization.apply_all(everything);  // the tracker store's load

  std::vector<std::vector<EventPtr>> trackers;
  if (all_sessions) {
    trackers = split_sessions(tracker.events());
    for (const auto& part : trackers) featurization.apply_all(part);
  } else {
    trackers.push_back(std::move(everything));
  }
  if (until) {
    std::vector<std::vector<EventPtr>> kept;
    for (const auto& part : trackers) {
      auto back = travel_back(part, *until);
      featurization.apply_all(back);
      if (!back.empty()) kept.push_back(std::move(back));
    }
    trackers = std::move(kept);
  }

  YNode stories = YNode::seq();
  const bool numbered = trackers.size() > 1;
  for (std::size_t i = 0; i < trackers.size(); ++i) {
    std::string name = tracker.sender_id();
    if (numbered) name += ", story " + std::to_string(i + 1);
    std::deque<EventPtr> events(trackers[i].begin(), trackers[i].end());
    YNode steps = YNode::seq();
    for (const auto& e : applied_events(events))
      if (auto step = story_step(*e, featurization)) steps.items.push_back(std::move(*step));
    YNode story = YNode::map();
    story.add("story", YNode::value(name));
    story.add("steps", std::move(steps));
    stories.items.push_back(std::move(story));
  }

  YNode root = YNode::map();
  root.add("version", YNode::styled(YNode::Kind::DoubleQuoted, "2.0"));
  if (!stories.items.empty()) root.add("stories", std::move(stories));
  Emitter emitter;
  emitter.document(root);
  return emitter.take();
}

}  // namespace

Result<std::string> try_tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                                           std::optional<double> until) {
  try {
    return write_stories(tracker, all_sessions, until);
  } catch (const WriteError& e) {
    return runtime_error(e.message);
  }
}

std::string tracker_story_yaml(const Tracker& tracker, bool all_sessions,
                               std::optional<double> until) {
  auto result = try_tracker_story_yaml(tracker, all_sessions, until);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

}  // namespace convo
