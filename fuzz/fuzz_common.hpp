// Shared by the fuzz targets: a deterministic parse context and a fixed environment, so that one
// input always takes the same path (libFuzzer needs that to minimise and replay crashes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "convo/core/event.hpp"

namespace convo::fuzz {

inline ParseContext fixed_context() {
  ParseContext ctx;
  ctx.now = [] { return 1700000000.0; };
  ctx.new_uuid = [] { return std::string("00000000000000000000000000000000"); };
  return ctx;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property the code must keep; a broken one is a finding, reported like a crash.
inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

}  // namespace convo::fuzz
