// Terminal styling: colour only on a TTY, never when NO_COLOR is set (https://no-color.org).
#pragma once

#include <string>
#include <string_view>

namespace convo {

enum class Tone { Plain, Dim, Bold, User, Bot, Action, System, Warn, Error, Ok };

struct Style {
  bool color = false;
  std::string paint(std::string_view text, Tone tone) const;
};

// Colour when `fd` is a terminal and NO_COLOR is unset or empty; CLICOLOR_FORCE=1 forces it.
Style style_for_fd(int fd);

}  // namespace convo
