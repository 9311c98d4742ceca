// Progress for people: one line on a terminal, rewritten in place (consumers' counts and lag,
// model downloads). Nothing is written when the stream is not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "convo/render/style.hpp"

namespace convo {

class ProgressLine {
 public:
  // `fd` is the terminal to write to (stderr); `every` how often the line may change.
  explicit ProgressLine(int fd, std::chrono::milliseconds every = std::chrono::milliseconds(200));
  bool enabled() const { return enabled_; }
  const Style& style() const { return style_; }
  // Rewrites the line with `text` unless the last change was less than `every` ago; `force`
  // writes anyway (a state change, the last update).
  void update(const std::string& text, Tone tone = Tone::Plain, bool force = false);
  // Erases the line (before a summary or message is printed).
  void clear();

 private:
  int fd_;
  bool enabled_;
  bool shown_ = false;
  Style style_;
  std::chrono::milliseconds every_;
  std::chrono::steady_clock::time_point last_{};
};

// "512 B", "1.5 kB", "20.3 MB" (decimal units).
std::string human_bytes(double bytes);

// "[#####     ]  50% 10.0 MB / 20.0 MB", or "10.0 MB received" when the total is unknown.
std::string download_progress_text(std::uint64_t done, std::uint64_t total);

}  // namespace convo
