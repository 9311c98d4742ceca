// Small text helpers every layer needs: ASCII case folding and Python's str.strip().
#pragma once

#include <string>

namespace convo {

// ASCII letters folded; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

// Python's str.strip() for ASCII whitespace (space, \t, \n, \r, \f, \v).
std::string strip_whitespace(const std::string& s);

}  // namespace convo
