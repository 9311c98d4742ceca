// Reading input files; "-" means standard input.
#pragma once

#include <string>

#include "convo/core/error.hpp"

namespace convo {

// The whole file as text. A missing file is a NotFound error naming the path.
Result<std::string> read_text_file(const std::string& path);

}  // namespace convo
