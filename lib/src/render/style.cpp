#include "convo/render/style.hpp"

#include <fmt/color.h>
#include <unistd.h>

#include <cstdlib>

namespace convo {

std::string Style::paint(std::string_view text, Tone tone) const {
  if (!color || tone == Tone::Plain) return std::string(text);
  fmt::text_style ts;
  switch (tone) {
    case Tone::Dim: ts = fmt::emphasis::faint; break;
    case Tone::Bold: ts = fmt::emphasis::bold; break;
    case Tone::User: ts = fmt::fg(fmt::terminal_color::cyan) | fmt::emphasis::bold; break;
    case Tone::Bot: ts = fmt::fg(fmt::terminal_color::green); break;
    case Tone::Action: ts = fmt::fg(fmt::terminal_color::yellow); break;
    case Tone::System: ts = fmt::fg(fmt::terminal_color::magenta); break;
    case Tone::Warn: ts = fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold; break;
    case Tone::Error: ts = fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold; break;
    case Tone::Ok: ts = fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold; break;
    case Tone::Plain: break;
  }
  return fmt::format(ts, "{}", text);
}

Style style_for_fd(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return Style{false};
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force && std::string_view(force) == "1") return Style{true};
  return Style{isatty(fd) == 1};
}

}  // namespace convo
