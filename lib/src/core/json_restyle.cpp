// One pass over JSON text, writing it in another style (see json_restyle.hpp). Recursive descent
// with a depth limit; everything unusual is NotCanonical, so the DOM path stays the authority.
#include "convo/core/json_restyle.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "convo/core/json.hpp"

namespace convo {
namespace {

constexpr int kMaxDepth = 200;

struct Restyler {
  std::string_view in;
  JsonStyle style;
  std::string& out;
  // The keys of the objects being read, innermost last (offsets in `out`, which may move), and
  // scratch for checking a large object's keys: reused, so an object costs no allocation.
  std::vector<std::pair<std::size_t, std::size_t>>& keys;
  std::vector<std::string_view>& names;
  std::size_t pos = 0;
  Restyled problem = Restyled::Ok;
  // Not strict: numbers and duplicate keys the dumpers would write otherwise are copied as they
  // are instead of failing (for splitting a file into items the decoder then checks one by one).
  bool strict = true;

  bool fail(Restyled r) {
    problem = r;
    return false;
  }
  void skip_ws() {
    while (pos < in.size()) {
      char c = in[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos;
    }
  }
  const char* item_sep() const { return style == JsonStyle::Python ? ", " : ","; }
  const char* key_sep() const { return style == JsonStyle::Python ? ": " : ":"; }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool read_u16(std::uint32_t& v) {  // the 4 hex digits after "\u"
    if (pos + 4 > in.size()) return fail(Restyled::Invalid);
    v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(in[pos + i]);
      if (h < 0) return fail(Restyled::Invalid);
      v = v * 16 + static_cast<std::uint32_t>(h);
    }
    pos += 4;
    return true;
  }
  // One code point in the output style.
  void emit(std::uint32_t cp) { append_json_code_point(out, cp, style == JsonStyle::Python); }
  // A raw UTF-8 sequence starting at pos (strict: no overlong forms, surrogates or > U+10FFFF).
  bool read_utf8(std::uint32_t& cp) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
    unsigned char c = byte(pos);
    std::size_t len;
    std::uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1Fu, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07u, min = 0x10000;
    else return fail(Restyled::NotCanonical);
    if (pos + len > in.size()) return fail(Restyled::NotCanonical);
    for (std::size_t i = 1; i < len; ++i) {
      unsigned char b = byte(pos + i);
      if ((b & 0xC0) != 0x80) return fail(Restyled::NotCanonical);
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(Restyled::NotCanonical);
    pos += len;
    return true;
  }
  // A string token; *empty tells whether it decoded to "".
  bool string(bool* empty) {
    ++pos;  // the opening quote
    out += '"';
    const std::size_t start = out.size();
    for (;;) {
      // Copy the run that needs no change in either style.
      std::size_t run = pos;
      while (run < in.size()) {
        unsigned char c = static_cast<unsigned char>(in[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7F) break;
        ++run;
      }
      out.append(in.data() + pos, run - pos);
      pos = run;
      if (pos >= in.size()) return fail(Restyled::Invalid);
      unsigned char c = static_cast<unsigned char>(in[pos]);
      if (c == '"') {
        ++pos;
        if (empty) *empty = out.size() == start;
        out += '"';
        return true;
      }
      if (c < 0x20) return fail(Restyled::Invalid);
      std::uint32_t cp;
      if (c == '\\') {
        if (pos + 1 >= in.size()) return fail(Restyled::Invalid);
        char e = in[pos + 1];
        pos += 2;
        switch (e) {
          case '"': cp = '"'; break;
          case '\\': cp = '\\'; break;
          case '/': cp = '/'; break;
          case 'b': cp = '\b'; break;
          case 'f': cp = '\f'; break;
          case 'n': cp = '\n'; break;
          case 'r': cp = '\r'; break;
          case 't': cp = '\t'; break;
          case 'u': {
            if (!read_u16(cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(Restyled::NotCanonical);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              std::uint32_t low;
              if (pos + 2 > in.size() || in[pos] != '\\' || in[pos + 1] != 'u') return fail(Restyled::NotCanonical);
              pos += 2;
              if (!read_u16(low)) return false;
              if (low < 0xDC00 || low > 0xDFFF) return fail(Restyled::NotCanonical);
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            break;
          }
          default: return fail(Restyled::Invalid);
        }
      } else if (c == 0x7F) {
        cp = c;
        ++pos;
      } else if (!read_utf8(cp)) {
        return false;
      }
      emit(cp);
    }
  }
  // A number token, kept only when it is what both dumpers write for its value.
  bool number(char* kind) {
    const std::size_t start = pos;
    if (in[pos] == '-') ++pos;
    auto digits = [&] {
      std::size_t d = pos;
      while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9') ++pos;
      return pos - d;
    };
    if (pos >= in.size()) return fail(Restyled::Invalid);
    const bool leading_zero = in[pos] == '0';
    std::size_t int_digits = digits();
    if (int_digits == 0) return fail(Restyled::Invalid);
    if (leading_zero && int_digits > 1) return fail(Restyled::Invalid);
    bool is_float = false;
    if (pos < in.size() && in[pos] == '.') {
      ++pos;
      if (digits() == 0) return fail(Restyled::Invalid);
      is_float = true;
    }
    if (pos < in.size() && (in[pos] == 'e' || in[pos] == 'E')) {
      ++pos;
      if (pos < in.size() && (in[pos] == '+' || in[pos] == '-')) ++pos;
      if (digits() == 0) return fail(Restyled::Invalid);
      is_float = true;
    }
    std::string_view token = in.substr(start, pos - start);
    *kind = canonical_number(token, is_float, int_digits);
    // Beyond a double's range: the DOM reports it (with its place), never copied along.
    if (*kind == 'X') return fail(Restyled::Invalid);
    if (*kind == 0) {
      if (strict) return fail(Restyled::NotCanonical);
      *kind = '9';  // copied as it is: the decoder, strict, sends it to the DOM
    }
    out.append(token);
    return true;
  }
  // '0' or '9' (zero or not) for a number token both dumpers write as it is; 0 for any other;
  // 'X' for a float out of a double's range.
  static char canonical_number(std::string_view token, bool is_float, std::size_t int_digits) {
    if (!is_float) {
      // Whatever a 64-bit integer holds (nlohmann reads larger ones as floats).
      if (token == "-0") return 0;
      if (int_digits > 18) {
        std::int64_t i64;
        std::uint64_t u64;
        const char* end = token.data() + token.size();
        auto r = std::from_chars(token.data(), end, i64);
        if (r.ec != std::errc() || r.ptr != end) {
          if (token[0] == '-') return 0;
          r = std::from_chars(token.data(), end, u64);
          if (r.ec != std::errc() || r.ptr != end) return 0;
        }
      }
      return token == "0" ? '0' : '9';
    }
    double d = 0;
    auto res = std::from_chars(token.data(), token.data() + token.size(), d);
    if (res.ec != std::errc() || res.ptr != token.data() + token.size() || std::isinf(d)) return 'X';  // 1e400
    char repr[kFloatReprSize];
    if (std::string_view(repr, python_float_repr(d, repr)) != token) return 0;
    return d == 0 ? '0' : '9';
  }
  bool literal(std::string_view word, char kind, char* out_kind) {
    if (in.substr(pos, word.size()) != word) return fail(Restyled::Invalid);
    pos += word.size();
    out.append(word);
    *out_kind = kind;
    return true;
  }
  // Any value; `kind` receives its outline letter. `sig` (objects only) collects the members'
  // outline; `top` marks the outermost object, whose parse_data and event members are noted.
  bool value(int depth, char* kind, std::string* sig, JsonOutline* top) {
    if (pos >= in.size()) return fail(Restyled::Invalid);
    switch (in[pos]) {
      case '{': return object(depth, kind, sig, top);
      case '[': return array(depth, kind);
      case '"': {
        bool empty = false;
        if (!string(&empty)) return false;
        *kind = empty ? 's' : 'S';
        return true;
      }
      case 't': return literal("true", 't', kind);
      case 'f': return literal("false", 'f', kind);
      case 'n': return literal("null", 'n', kind);
      default:
        if (in[pos] == '-' || (in[pos] >= '0' && in[pos] <= '9')) return number(kind);
        return fail(Restyled::Invalid);
    }
  }
  bool array(int depth, char* kind) {
    if (depth >= kMaxDepth) return fail(Restyled::NotCanonical);
    ++pos;
    out += '[';
    skip_ws();
    *kind = 'a';
    if (pos < in.size() && in[pos] == ']') {
      ++pos;
      out += ']';
      return true;
    }
    *kind = 'A';
    for (bool first = true;; first = false) {
      if (!first) out += item_sep();
      skip_ws();
      char k;
      if (!value(depth + 1, &k, nullptr, nullptr)) return false;
      skip_ws();
      if (pos >= in.size()) return fail(Restyled::Invalid);
      if (in[pos] == ']') break;
      if (in[pos] != ',') return fail(Restyled::Invalid);
      ++pos;
    }
    ++pos;
    out += ']';
    return true;
  }
  bool object(int depth, char* kind, std::string* sig, JsonOutline* top) {
    if (depth >= kMaxDepth) return fail(Restyled::NotCanonical);
    ++pos;
    out += '{';
    skip_ws();
    *kind = 'o';
    if (pos < in.size() && in[pos] == '}') {
      ++pos;
      out += '}';
      return true;
    }
    *kind = 'O';
    const std::size_t base = keys.size();
    bool sender_first = false;
    for (bool first = true;; first = false) {
      if (!first) out += item_sep();
      skip_ws();
      if (pos >= in.size() || in[pos] != '"') return fail(Restyled::Invalid);
      const std::size_t key_start = out.size();
      if (!string(nullptr)) return false;
      keys.emplace_back(key_start, out.size() - key_start);
      std::string_view key(out.data() + key_start, out.size() - key_start);
      skip_ws();
      if (pos >= in.size() || in[pos] != ':') return fail(Restyled::Invalid);
      ++pos;
      out += key_sep();
      skip_ws();
      char k;
      const std::size_t value_start = out.size();
      if (sig) sig->append(key);
      if (top && key == "\"parse_data\"" && pos < in.size() && in[pos] == '{') {
        sig->push_back('(');
        if (!value(depth + 1, &k, sig, nullptr)) return false;
        sig->push_back(')');
      } else if (!value(depth + 1, &k, nullptr, nullptr)) {
        return false;
      }
      if (sig) sig->push_back(k);
      if (top && key == "\"event\"" && k == 'S')
        top->event.assign(out, value_start + 1, out.size() - value_start - 2);
      if (top && key == "\"name\"") top->name.assign(out, value_start, out.size() - value_start);
      if (top && key == "\"timestamp\"") top->timestamp.assign(out, value_start, out.size() - value_start);
      if (top && key == "\"sender_id\"") {
        top->sender_id.assign(out, value_start, out.size() - value_start);
        top->sender_kind = k;
        top->sender_begin = first ? key_start : key_start - std::string_view(item_sep()).size();
        top->sender_end = out.size();
        sender_first = first;
      }
      skip_ws();
      if (pos >= in.size()) return fail(Restyled::Invalid);
      if (in[pos] == '}') break;
      if (in[pos] != ',') return fail(Restyled::Invalid);
      ++pos;
    }
    ++pos;
    // A leading sender_id takes the separator after it (when a member follows).
    if (top && sender_first && top->sender_end < out.size()) top->sender_end += std::string_view(item_sep()).size();
    out += '}';
    // Duplicate keys: Python keeps the last value at the first place; leave that to the DOM.
    const std::size_t count = strict ? keys.size() - base : 0;
    auto key_at = [&](std::size_t i) { return std::string_view(out.data() + keys[base + i].first, keys[base + i].second); };
    if (count <= 16) {
      for (std::size_t i = 1; i < count; ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (key_at(i) == key_at(j)) return fail(Restyled::NotCanonical);
    } else {
      names.clear();
      for (std::size_t i = 0; i < count; ++i) names.push_back(key_at(i));
      std::sort(names.begin(), names.end());
      if (std::adjacent_find(names.begin(), names.end()) != names.end()) return fail(Restyled::NotCanonical);
    }
    keys.resize(base);
    return true;
  }
};

}  // namespace

Restyled restyle_json_items(std::string_view in, JsonStyle style, std::vector<std::string>& items) {
  thread_local std::vector<std::pair<std::size_t, std::size_t>> keys;
  thread_local std::vector<std::string_view> names;
  keys.clear();
  std::string out;
  Restyler r{in, style, out, keys, names};
  r.strict = false;
  std::vector<std::string> found;
  r.skip_ws();
  if (r.pos >= in.size() || in[r.pos] != '[') return Restyled::Invalid;
  ++r.pos;
  r.skip_ws();
  if (r.pos < in.size() && in[r.pos] == ']') {
    ++r.pos;
  } else {
    for (;;) {
      r.skip_ws();
      out.clear();
      char kind;
      if (!r.value(1, &kind, nullptr, nullptr)) return r.problem;
      found.push_back(out);
      r.skip_ws();
      if (r.pos >= in.size()) return Restyled::Invalid;
      if (in[r.pos] == ']') break;
      if (in[r.pos] != ',') return Restyled::Invalid;
      ++r.pos;
    }
    ++r.pos;
  }
  r.skip_ws();
  if (r.pos != in.size()) return Restyled::Invalid;
  items = std::move(found);
  return Restyled::Ok;
}

Restyled restyle_json(std::string_view in, JsonStyle style, std::string& out, JsonOutline* outline) {
  const std::size_t mark = out.size();
  thread_local std::vector<std::pair<std::size_t, std::size_t>> keys;
  thread_local std::vector<std::string_view> names;
  keys.clear();
  out.reserve(mark + in.size() + in.size() / 8 + 16);
  Restyler r{in, style, out, keys, names};
  r.skip_ws();
  char kind = 0;
  bool ok;
  if (outline) {
    outline->signature.clear();
    outline->event.clear();
    outline->name.clear();
    outline->timestamp.clear();
    outline->sender_id.clear();
    outline->sender_kind = 0;
    if (r.pos >= in.size() || in[r.pos] != '{') {
      ok = r.value(0, &kind, nullptr, nullptr) ? r.fail(Restyled::NotCanonical) : false;
    } else {
      ok = r.object(0, &kind, &outline->signature, outline);
    }
  } else {
    ok = r.value(0, &kind, nullptr, nullptr);
  }
  if (ok) {
    r.skip_ws();
    if (r.pos != in.size()) ok = r.fail(Restyled::Invalid);
  }
  if (!ok) {
    out.resize(mark);
    return r.problem;
  }
  return Restyled::Ok;
}

}  // namespace convo
