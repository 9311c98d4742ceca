#include "convo/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "convo/sys/heap.hpp"

namespace convo {
namespace {

// Reads into [p, p + n) until it is full or the input ends: the bytes read, or -1 (errno set).
ssize_t read_into(int fd, char* p, std::size_t n) {
  std::size_t used = 0;
  while (used < n) {
    const ssize_t got = ::read(fd, p + used, n - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  return static_cast<ssize_t>(used);
}

// Everything left on fd, read in large blocks: the size from fstat when it is a regular file (one
// allocation, one read), growing geometrically for pipes and terminals.
bool read_all(int fd, std::string& text) {
  struct stat st {};
  std::size_t want = 64 * 1024;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) want = static_cast<std::size_t>(st.st_size) + 1;
  std::size_t used = 0;
  text.reserve(want);
  if (want >= (std::size_t{4} << 20)) sys::advise_huge(text.data(), want);  // faulted 2 MB at a time
  text.resize(want);
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    const ssize_t n = read_into(fd, text.data() + used, text.size() - used);
    if (n < 0) return false;
    used += static_cast<std::size_t>(n);
    if (used < text.size()) break;  // the input ended before the buffer was full
  }
  text.resize(used);
  return true;
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::string text;
  if (path == "-") {
    if (!read_all(STDIN_FILENO, text)) return runtime_error(std::string("<stdin>: ") + std::strerror(errno));
    return text;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string message = path + ": " + std::strerror(err);
    return err == ENOENT ? not_found_error(message) : runtime_error(message);
  }
  const bool ok = read_all(fd, text);
  const int err = errno;
  ::close(fd);
  if (!ok) return runtime_error(path + ": read failed: " + std::strerror(err));
  return text;
}

Result<FileText> read_file_text(const std::string& path) {
  FileText out;
  if (path != "-") {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      const auto want = static_cast<std::size_t>(st.st_size);
      out.data_.reset(new char[want]);  // not value-initialised: no zero fill
      if (want >= (std::size_t{4} << 20)) sys::advise_huge(out.data_.get(), want);
      // Short, failed, or grown since fstat: read again the general way, which says what failed.
      char probe;
      if (read_into(fd, out.data_.get(), want) == static_cast<ssize_t>(want) && read_into(fd, &probe, 1) == 0) {
        ::close(fd);
        out.size_ = want;
        return out;
      }
      out.data_.reset();
    }
    if (fd >= 0) ::close(fd);
  }
  auto text = read_text_file(path);
  if (!text) return text.error();
  out.text_ = std::move(*text);
  return out;
}

}  // namespace convo
