// Small text helpers every layer needs: ASCII case folding, Python's str.strip(), and
// percent-encoding with a caller's choice of bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace convo {

// ASCII letters folded; other bytes (UTF-8 included) unchanged.
// Whether `text` ends with `suffix` (file names, media types).
bool ends_with(std::string_view text, std::string_view suffix);

std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

// Python's str.strip() for ASCII whitespace (space, \t, \n, \r, \f, \v).
std::string strip_whitespace(const std::string& s);

// Every byte for which `escape(byte)` is true written as %XX (upper-case hex), the rest as is.
std::string percent_encode(const std::string& text, bool (*escape)(unsigned char));

// The non-empty pieces of `text` between `separator`s ("a,,b" -> a, b).
std::vector<std::string> split_nonempty(const std::string& text, char separator);

// A duration in seconds: a non-negative decimal number with an optional unit, ms, s, m, h or d
// ("500ms", "1.5", "30s", "15m", "2d"). nullopt for anything else (signs, spaces, other units).
// The one duration syntax of every option and setting that takes one.
std::optional<double> parse_duration(const std::string& text);

// Appends a code point as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Where a text stops being UTF-8: the offset of the first byte that does not begin a well-formed
// sequence (overlong forms, surrogates and code points past U+10FFFF included), or nullopt.
// Python refuses such files (PyYAML, json), and every JSON writer here would throw on them later.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);
// How many code points the first `bytes` bytes of UTF-8 `text` hold (Python's string indices).
std::size_t code_points(std::string_view text, std::size_t bytes);
// The 1-based line and column of byte `offset` in `text` ({line, column}).
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset);

}  // namespace convo
