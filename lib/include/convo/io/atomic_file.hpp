// Files that appear whole or not at all: written to a hidden temp file in the target's directory,
// flushed, fsynced and renamed over the target. The one way convo replaces a file (model archives,
// pulled downloads, fingerprint files).
#pragma once

#include <cstdio>
#include <string>

#include "convo/core/error.hpp"

namespace convo {

class AtomicFile {
 public:
  // Creates the temp file ("<dir>/<prefix><pid>-XXXXXX.part", mode 0644) next to where the final
  // file will go. `prefix` lets a caller find its own leftovers (remove_stale_temp_files).
  static Result<AtomicFile> create(const std::string& dir, const std::string& prefix = ".convo-");
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();  // an uncommitted temp file is removed

  const std::string& temp_path() const { return temp_; }
  std::FILE* stream() { return out_; }
  bool write(const char* data, std::size_t size);

  // Flushes and fsyncs the temp file and closes it; the file may then be checked by path.
  std::optional<Error> close();
  // close() if still open, then renames the temp file to `target` and fsyncs the directory.
  std::optional<Error> commit(const std::string& target);
  // Drops the temp file.
  void discard();

 private:
  AtomicFile(std::string dir, std::string temp, std::FILE* out) : dir_(std::move(dir)), temp_(std::move(temp)), out_(out) {}
  std::string dir_, temp_;
  std::FILE* out_ = nullptr;
  bool done_ = false;
};

// Writes `content` to `path` atomically (temp file in the same directory, then rename).
std::optional<Error> write_file_atomically(const std::string& path, const std::string& content);

// Removes "<prefix><pid>-*.part" files in `dir` whose process no longer runs.
void remove_stale_temp_files(const std::string& dir, const std::string& prefix);

}  // namespace convo
