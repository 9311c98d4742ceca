// ruamel.yaml's Emitter as the story export uses it: block mappings and sequences, and the
// plain, double-quoted, single-quoted and literal scalar writers with their line breaking.
#include <cstdio>
#include <stdexcept>

#include "story_yaml.hpp"

namespace convo::story_yaml {

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
    write_folded_runs(text, split, indent, false);
  }

  void write_single_quoted(const U32& text, bool split, int indent) {
    write_indicator("'", true);
    write_folded_runs(text, split, indent, true);
    write_indicator("'", false);
  }

  // The text of a plain or single-quoted scalar (PyYAML's write_plain / write_single_quoted):
  // runs of words, a single space at a fold point past the best width broken into a new line,
  // line breaks kept as such; in quoted text ' doubles and a fold never starts or ends the text.
  void write_folded_runs(const U32& text, bool split, int indent, bool quoted) {
    bool spaces = false, breaks = false;
    std::size_t start = 0, end = 0;
    auto after_indent = [&] {
      if (quoted) return;
      whitespace_ = false;
      indention_ = false;
    };
    while (end <= text.size()) {
      char32_t ch = end < text.size() ? text[end] : kNone;
      if (spaces) {
        if (ch != ' ') {
          if (start + 1 == end && column_ > kBestWidth && split && (!quoted || (start != 0 && end != text.size()))) {
            write_indent(indent);
            after_indent();
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
          after_indent();
          start = end;
        }
      } else if (ch == kNone || ch == ' ' || is_break(ch) || (quoted && ch == '\'')) {
        write(text, start, end);
        start = end;
      }
      if (quoted && ch == '\'') {
        write_ascii("''");
        start = end + 1;
      }
      if (ch != kNone) {
        spaces = ch == ' ';
        breaks = is_break(ch);
      }
      ++end;
    }
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


std::string emit_document(const YNode& root) {
  Emitter emitter;
  emitter.document(root);
  return emitter.take();
}

}  // namespace convo::story_yaml
