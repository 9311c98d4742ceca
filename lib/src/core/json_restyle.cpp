// One pass over JSON text, writing it in another style (see json_restyle.hpp). Recursive descent
// with a depth limit; everything unusual is NotCanonical, so the DOM path stays the authority.
#include "convo/core/json_restyle.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include "convo/core/json.hpp"

namespace convo {
namespace {

constexpr int kMaxDepth = 200;

// Whether any of 8 bytes is one a string's plain run stops at: '"', '\\', a control character
// (< 0x20) or 0x7F and above. Exact about "any" (the byte loop then finds which).
bool special_in_word(const char* p) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  auto has_zero = [&](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
  const bool control = ((w - ones * 0x20) & ~w & highs) != 0;
  const bool high = (w & highs) != 0 || has_zero(w ^ (ones * 0x7F));
  return control || high || has_zero(w ^ (ones * '"')) || has_zero(w ^ (ones * '\\'));
}

// Which part of an event object an outlined object is (see Restyler::object).
enum class Part { None, Top, ParseData, Intent };

struct Restyler {
  std::string_view in;
  JsonStyle style;
  std::string& out;
  const std::size_t mark;  // out's size before this value: the output is out[mark:]
  // The keys of the objects being read, innermost last (offsets in the output), and
  // scratch for checking a large object's keys: reused, so an object costs no allocation.
  std::vector<std::pair<std::size_t, std::size_t>>& keys;
  std::vector<std::string_view>& names;
  // Lazy: while the output equals `in` byte for byte nothing is written (a text already in the
  // target style costs no copy); `same` says whether that still holds.
  bool lazy = false;
  bool same = true;
  std::size_t origin = 0;  // where in `in` the output would start (an item of an array: not 0)
  std::size_t o = 0;  // bytes of output so far
  std::string code_point = {};  // scratch for one escaped code point
  // Mirror: whether `in` is also exactly what the other style writes (a broker body in json.dumps
  // form restyled to compact: the sinks that keep json.dumps form can then use its bytes).
  bool mirror = false;
  bool mirror_same = true;
  std::size_t mo = 0;  // bytes of the other style's output so far
  std::size_t pos = 0;
  Restyled problem = Restyled::Ok;
  // Not strict: numbers and duplicate keys the dumpers would write otherwise are copied as they
  // are instead of failing (for splitting a file into items the decoder then checks one by one).
  bool strict = true;

  // The other style's next n bytes are those at p.
  void mirrored(const char* p, std::size_t n) {
    if (!mirror || !mirror_same) return;
    if (p == in.data() + mo || (mo + n <= in.size() && std::memcmp(in.data() + mo, p, n) == 0)) mo += n;
    else mirror_same = false;
  }
  // Appends n bytes at p to the output (the same in both styles).
  void put(const char* p, std::size_t n) {
    mirrored(p, n);
    put_only(p, n);
  }
  // Appends n bytes to the output only (the other style writes something else here).
  void put_only(const char* p, std::size_t n) {
    if (lazy && same) {
      const char* here = in.data() + origin + o;
      // Mostly a token of the input itself (same address), else a short separator.
      if (p == here || (origin + o + n <= in.size() && (n == 1 ? *here == *p : std::memcmp(here, p, n) == 0))) {
        o += n;
        return;
      }
      same = false;
      out.append(in.data() + origin, o);  // the part that was equal, then on as usual
    }
    out.append(p, n);
    o += n;
  }
  void put(std::string_view v) { put(v.data(), v.size()); }
  void put(char c) { put(&c, 1); }
  // The output's bytes [at, at + n) (they move while the output grows: take them afresh).
  std::string_view output(std::size_t at, std::size_t n) const {
    return {(lazy && same ? in.data() + origin : out.data() + mark) + at, n};
  }
  // Ends a lazy output: when it is not the whole input, it is written after all.
  void finish() {
    if (lazy && same && o != in.size()) {
      same = false;
      out.append(in.data(), o);
    }
  }

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
  // A separator: `python` in Python's style, `compact` in the other.
  void separator(std::string_view python, std::string_view compact) {
    const bool py = style == JsonStyle::Python;
    put_only(py ? python.data() : compact.data(), py ? python.size() : compact.size());
    if (mirror) mirrored(py ? compact.data() : python.data(), py ? compact.size() : python.size());
  }
  void item_separator() { separator(", ", ","); }
  void key_separator() { separator(": ", ":"); }

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
  void emit(std::uint32_t cp) {
    code_point.clear();
    append_json_code_point(code_point, cp, style == JsonStyle::Python);
    put_only(code_point.data(), code_point.size());
    if (mirror && mirror_same) {
      code_point.clear();
      append_json_code_point(code_point, cp, style != JsonStyle::Python);
      mirrored(code_point.data(), code_point.size());
    }
  }
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
    put('"');
    const std::size_t start = o;
    for (;;) {
      // Copy the run that needs no change in either style (eight bytes at a time while none is
      // special: strings are most of an event's bytes).
      std::size_t run = pos;
      while (run + 8 <= in.size() && !special_in_word(in.data() + run)) run += 8;
      while (run < in.size()) {
        unsigned char c = static_cast<unsigned char>(in[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7F) break;
        ++run;
      }
      put(in.data() + pos, run - pos);
      pos = run;
      if (pos >= in.size()) return fail(Restyled::Invalid);
      unsigned char c = static_cast<unsigned char>(in[pos]);
      if (c == '"') {
        ++pos;
        if (empty) *empty = o == start;
        put('"');
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
    put(token);
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
    if (plainly_python_float_repr(token)) return '9';  // most floats: no formatting needed
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
    put(word);
    *out_kind = kind;
    return true;
  }
  // Any value; `kind` receives its outline letter. With `top`, an object is outlined as `part`
  // of the event (see object()).
  bool value(int depth, char* kind, JsonOutline* top = nullptr, Part part = Part::Top) {
    if (pos >= in.size()) return fail(Restyled::Invalid);
    switch (in[pos]) {
      case '{': return object(depth, kind, top, part);
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
    put('[');
    skip_ws();
    *kind = 'a';
    if (pos < in.size() && in[pos] == ']') {
      ++pos;
      put(']');
      return true;
    }
    *kind = 'A';
    for (bool first = true;; first = false) {
      if (!first) item_separator();
      skip_ws();
      char k;
      if (!value(depth + 1, &k)) return false;
      skip_ws();
      if (pos >= in.size()) return fail(Restyled::Invalid);
      if (in[pos] == ']') break;
      if (in[pos] != ',') return fail(Restyled::Invalid);
      ++pos;
    }
    ++pos;
    put(']');
    return true;
  }
  // An object. With `top` it is outlined: the event object itself (Part::Top: its members' keys
  // and kinds into the signature, its event, name, timestamp and sender_id noted), its parse_data
  // (members into the signature, in brackets) or parse_data's intent (its name noted).
  bool object(int depth, char* kind, JsonOutline* top, Part part) {
    if (depth >= kMaxDepth) return fail(Restyled::NotCanonical);
    ++pos;
    put('{');
    skip_ws();
    *kind = 'o';
    if (pos < in.size() && in[pos] == '}') {
      ++pos;
      put('}');
      return true;
    }
    *kind = 'O';
    std::string* sig = top && part != Part::Intent ? &top->signature : nullptr;
    const std::size_t base = keys.size();
    bool sender_first = false;
    std::size_t sender_begin = 0;
    for (bool first = true;; first = false) {
      if (!first) item_separator();
      skip_ws();
      if (pos >= in.size() || in[pos] != '"') return fail(Restyled::Invalid);
      const std::size_t key_start = o, key_in = pos;
      if (!string(nullptr)) return false;
      const std::size_t key_size = o - key_start;
      keys.emplace_back(key_start, key_size);
      skip_ws();
      if (pos >= in.size() || in[pos] != ':') return fail(Restyled::Invalid);
      ++pos;
      key_separator();
      skip_ws();
      char k;
      const std::size_t value_start = o;
      // What this member is to the outline (the key's bytes are taken afresh each time: the
      // output may have moved).
      auto key_is = [&](std::string_view quoted) { return output(key_start, key_size) == quoted; };
      Part inner = Part::None;
      if (top && pos < in.size() && in[pos] == '{') {
        if (part == Part::Top && key_is("\"parse_data\"")) inner = Part::ParseData;
        else if (part == Part::ParseData && key_is("\"intent\"")) inner = Part::Intent;
      }
      if (sig) sig->append(output(key_start, key_size));
      if (inner == Part::ParseData) sig->push_back('(');
      if (!value(depth + 1, &k, inner == Part::None ? nullptr : top, inner)) return false;
      if (inner == Part::ParseData) sig->push_back(')');
      if (sig) sig->push_back(k);
      if (top) {
        auto written = [&] { return output(value_start, o - value_start); };
        if (part == Part::Top) {
          if (k == 'S' && key_is("\"event\"")) top->event.assign(written().substr(1, o - value_start - 2));
          else if (key_is("\"name\"")) top->name.assign(written());
          else if (key_is("\"timestamp\"")) top->timestamp.assign(written());
          else if (key_is("\"value\"")) top->value.assign(written());
          else if (key_is("\"sender_id\"")) {
            top->sender_id.assign(written());
            top->sender_kind = k;
            sender_begin = first ? key_start : key_start - std::string_view(item_sep()).size();
            top->sender_begin = mark + sender_begin;
            top->sender_end = mark + o;
            top->sender_in_begin = first ? key_in : key_in - 2;  // ", " before it, in Python's style
            top->sender_in_end = pos;
            sender_first = first;
          }
        } else if (part == Part::Intent && key_is("\"name\"")) {
          top->intent_name.assign(written());
        }
      }
      skip_ws();
      if (pos >= in.size()) return fail(Restyled::Invalid);
      if (in[pos] == '}') break;
      if (in[pos] != ',') return fail(Restyled::Invalid);
      ++pos;
    }
    ++pos;
    // A leading sender_id takes the separator after it (when a member follows).
    if (top && sender_first && top->sender_end < mark + o) {
      top->sender_end += std::string_view(item_sep()).size();
      top->sender_in_end += 2;
    }
    put('}');
    // Duplicate keys: Python keeps the last value at the first place; leave that to the DOM.
    const std::size_t count = strict ? keys.size() - base : 0;
    auto key_at = [&](std::size_t i) { return output(keys[base + i].first, keys[base + i].second); };
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

Restyled for_each_json_item(std::string_view in, JsonStyle style,
                            const std::function<void(std::string& item, const JsonOutline* outline)>& each) {
  thread_local std::vector<std::pair<std::size_t, std::size_t>> keys;
  thread_local std::vector<std::string_view> names;
  keys.clear();
  std::string out;
  JsonOutline outline;
  Restyler r{in, style, out, 0, keys, names};
  r.skip_ws();
  if (r.pos >= in.size() || in[r.pos] != '[') return Restyled::Invalid;
  ++r.pos;
  r.skip_ws();
  if (r.pos < in.size() && in[r.pos] == ']') {
    ++r.pos;
  } else {
    for (;;) {
      r.skip_ws();
      const std::size_t start = r.pos;
      char kind;
      bool outlined = false;
      bool as_is = false;  // the item is already in the target style: in[start, start + o)
      if (in[start] == '{') {  // an event, perhaps in canonical form: restyled and outlined
        out.clear();
        r.o = 0;
        r.strict = true;
        // Lazy: an item already in the target style is only checked, then copied once.
        r.lazy = true;
        r.same = true;
        r.origin = start;
        outline.clear();
        outlined = r.object(1, &kind, &outline, Part::Top);
        as_is = outlined && r.same;
        r.lazy = false;
        r.origin = 0;
        if (!outlined && r.problem == Restyled::Invalid) return Restyled::Invalid;
        keys.clear();
        r.problem = Restyled::Ok;
      }
      if (!outlined) {  // anything else, copied as it is where the dumpers would differ
        r.pos = start;
        out.clear();
        r.o = 0;
        r.strict = false;
        if (!r.value(1, &kind)) return r.problem;
      }
      // Handed at its own size: the scratch keeps its capacity for the next item, and the item
      // (which the callback may keep) wastes none.
      std::string item = as_is ? std::string(in.substr(start, r.o)) : std::string(out);
      each(item, outlined ? &outline : nullptr);
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
  return Restyled::Ok;
}

Restyled restyle_json(std::string_view in, JsonStyle style, std::string& out, JsonOutline* outline,
                      bool* same_as_input, bool* same_as_other) {
  const std::size_t mark = out.size();
  thread_local std::vector<std::pair<std::size_t, std::size_t>> keys;
  thread_local std::vector<std::string_view> names;
  keys.clear();
  if (!same_as_input) out.reserve(mark + in.size() + in.size() / 8 + 16);
  Restyler r{in, style, out, mark, keys, names};
  r.lazy = same_as_input != nullptr;
  r.mirror = same_as_other != nullptr;
  r.skip_ws();
  char kind = 0;
  bool ok;
  if (outline) {
    outline->clear();
    if (r.pos >= in.size() || in[r.pos] != '{') {
      ok = r.value(0, &kind) ? r.fail(Restyled::NotCanonical) : false;
    } else {
      ok = r.object(0, &kind, outline, Part::Top);
    }
  } else {
    ok = r.value(0, &kind);
  }
  if (ok) {
    r.skip_ws();
    if (r.pos != in.size()) ok = r.fail(Restyled::Invalid);
  }
  if (!ok) {
    out.resize(mark);
    return r.problem;
  }
  r.finish();
  if (same_as_input) *same_as_input = r.same;
  if (same_as_other) *same_as_other = r.mirror_same && r.mo == in.size();
  return Restyled::Ok;
}

Json scalar_from_token(const std::string& token) {
  if (token.empty()) return Json();
  const char* b = token.data();
  const char* e = b + token.size();
  const char c = token.front();
  if (c == '"') {
    if (token.find('\\') == std::string::npos) return Json(std::string(b + 1, e - 1));
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    if (token.find_first_of(".eE") == std::string::npos) {
      if (c == '-') {
        std::int64_t i = 0;
        if (auto r = std::from_chars(b, e, i); r.ec == std::errc() && r.ptr == e) return Json(i);
      } else {
        std::uint64_t u = 0;  // nlohmann reads a non-negative integer as unsigned
        if (auto r = std::from_chars(b, e, u); r.ec == std::errc() && r.ptr == e) return Json(u);
      }
    } else {
      double d = 0;
      if (auto r = std::from_chars(b, e, d); r.ec == std::errc() && r.ptr == e) return Json(d);
    }
  } else if (token == "null") {
    return Json();
  } else if (token == "true") {
    return Json(true);
  } else if (token == "false") {
    return Json(false);
  }
  return Json::parse(token);
}

}  // namespace convo
