#include "convo/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace convo {

namespace fs = std::filesystem;

Result<AtomicFile> AtomicFile::create(const std::string& dir, const std::string& prefix) {
  std::string d = dir.empty() ? "." : dir;
  std::string temp = (fs::path(d) / (prefix + std::to_string(getpid()) + "-XXXXXX.part")).string();
  int fd = mkstemps(temp.data(), 5);
  if (fd < 0) return runtime_error(d + ": cannot create a temp file: " + std::strerror(errno));
  fchmod(fd, 0644);  // mkstemps makes it 0600; the final file is as readable as any other
  std::FILE* out = fdopen(fd, "wb");
  if (!out) {
    ::close(fd);
    std::remove(temp.c_str());
    return runtime_error(d + ": cannot open a temp file: " + std::strerror(errno));
  }
  return AtomicFile(d, temp, out);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : dir_(std::move(other.dir_)), temp_(std::move(other.temp_)), out_(other.out_), done_(other.done_) {
  other.out_ = nullptr;
  other.done_ = true;
}

AtomicFile::~AtomicFile() { discard(); }

bool AtomicFile::write(const char* data, std::size_t size) {
  return out_ && std::fwrite(data, 1, size, out_) == size;
}

std::optional<Error> AtomicFile::close() {
  if (!out_) return std::nullopt;
  bool ok = std::fflush(out_) == 0 && fsync(fileno(out_)) == 0;
  std::string why = ok ? "" : std::strerror(errno);
  ok = (std::fclose(out_) == 0) && ok;
  if (why.empty() && !ok) why = std::strerror(errno);
  out_ = nullptr;
  if (!ok) return runtime_error(temp_ + ": writing failed: " + why);
  return std::nullopt;
}

std::optional<Error> AtomicFile::commit(const std::string& target) {
  if (done_) return runtime_error(target + ": the temp file is gone");
  if (auto err = close()) {
    discard();
    return err;
  }
  if (std::rename(temp_.c_str(), target.c_str()) != 0) {
    std::string why = std::strerror(errno);
    discard();
    return runtime_error(target + ": cannot rename the temp file into place: " + why);
  }
  done_ = true;
  int dir_fd = open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    ::close(dir_fd);
  }
  return std::nullopt;
}

void AtomicFile::discard() {
  if (out_) std::fclose(out_);
  out_ = nullptr;
  if (!done_ && !temp_.empty()) std::remove(temp_.c_str());
  done_ = true;
}

std::optional<Error> write_file_atomically(const std::string& path, const std::string& content) {
  fs::path target(path);
  auto file = AtomicFile::create(target.parent_path().string());
  if (!file) return Error{file.error().kind, path + ": cannot write: " + file.error().message};
  if (!file->write(content.data(), content.size())) return runtime_error(path + ": cannot write: " + std::strerror(errno));
  return file->commit(path);
}

void remove_stale_temp_files(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

}  // namespace convo
