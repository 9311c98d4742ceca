#include "convo/render/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace convo {

ProgressLine::ProgressLine(int fd, std::chrono::milliseconds every)
    : fd_(fd), enabled_(isatty(fd) == 1), style_(style_for_fd(fd)), every_(every) {}

void ProgressLine::update(const std::string& text, Tone tone, bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (shown_ && !force && now - last_ < every_) return;
  last_ = now;
  shown_ = true;
  std::string line = "\r\033[K" + style_.paint(text, tone);
  (void)!write(fd_, line.data(), line.size());
}

void ProgressLine::clear() {
  if (!shown_) return;
  (void)!write(fd_, "\r\033[K", 4);
  shown_ = false;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB"};
  int u = 0;
  while (bytes >= 1000 && u < 3) bytes /= 1000, ++u;
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string download_progress_text(std::uint64_t done, std::uint64_t total) {
  if (total == 0) return human_bytes(double(done)) + " received";
  const int width = 30;
  const double share = static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(width * share);
  return fmt::format("[{}{}] {:3.0f}% {} / {}", std::string(filled, '#'), std::string(width - filled, ' '), 100.0 * share,
                     human_bytes(double(done)), human_bytes(double(total)));
}

}  // namespace convo
