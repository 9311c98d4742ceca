// Small text helpers every layer needs: ASCII case folding, Python's str.strip(), and
// percent-encoding with a caller's choice of bytes.
#pragma once

#include <string>

namespace convo {

// ASCII letters folded; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

// Python's str.strip() for ASCII whitespace (space, \t, \n, \r, \f, \v).
std::string strip_whitespace(const std::string& s);

// Every byte for which `escape(byte)` is true written as %XX (upper-case hex), the rest as is.
std::string percent_encode(const std::string& text, bool (*escape)(unsigned char));

}  // namespace convo
