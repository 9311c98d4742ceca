// The part of ruamel.yaml's round-trip emitter Rasa's story export goes through (block style,
// indent 2, dash offset 0, width 4096, unicode allowed, None as `null`), for story_writer.cpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convo/core/text.hpp"
#include "convo/core/json.hpp"

namespace convo::story_yaml {

using U32 = std::u32string;

U32 to_u32(std::string_view s);
std::string to_utf8(const U32& s);

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

YNode from_json(const Json& v);

// Shared by the scalar analysis (story_yaml.cpp) and the emitter (story_yaml_emitter.cpp).
constexpr char32_t kNone = 0xFFFFFFFF;  // "no character" (Python's ch = None at the end)
constexpr int kBestWidth = 4096;        // rasa.shared.utils.io.YAML_LINE_MAX_WIDTH
constexpr int kBestIndent = 2;
bool is_break(char32_t c);
bool resolves_as_str(const U32& s);
bool is_blank_or_end(char32_t c);
struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
};
Analysis analyze_scalar(const U32& s);
std::pair<U32, std::size_t> represent(const Json& v);

// The whole document for `root` (a mapping), as ruamel writes it.
std::string emit_document(const YNode& root);

}  // namespace convo::story_yaml
