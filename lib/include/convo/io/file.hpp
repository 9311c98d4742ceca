// Reading input files; "-" means standard input.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "convo/core/error.hpp"

namespace convo {

// The whole file as text. A missing file is a NotFound error naming the path.
Result<std::string> read_text_file(const std::string& path);

// A file's text to read once, in a buffer of its own: a regular file's bytes are read straight
// into memory that nothing filled before (a std::string is zero-filled first: for a large input
// that is one more pass over every page).
class FileText {
 public:
  std::string_view view() const { return data_ ? std::string_view(data_.get(), size_) : std::string_view(text_); }

 private:
  friend Result<FileText> read_file_text(const std::string& path);
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::string text_;  // standard input, pipes and other files of no known size
};

// As read_text_file, errors included.
Result<FileText> read_file_text(const std::string& path);

}  // namespace convo
