// sys/heap: the heap grows by the reserve at once, and (where the kernel has transparent huge
// pages) the grown range past the first megabyte is advised for them; allocation works as before.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "convo/sys/heap.hpp"

namespace {

// Under AddressSanitizer (GCC says so with a macro, clang with __has_feature) malloc is its own.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The VmFlags of the mapping that holds `addr`, from /proc/self/smaps; empty if none does.
std::string vm_flags_at(std::uintptr_t addr) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("prefer_huge_pages reserves heap and advises it past the first megabyte", "[sys]") {
  const auto before = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  const std::size_t reserve = std::size_t{64} << 20;
  convo::sys::prefer_huge_pages(reserve);
  const auto after = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  // (AddressSanitizer's allocator is its own and leaves the heap alone: only allocation is checked.)
  if (!kSanitized) CHECK(after - before > reserve / 2);  // by the reserve, less what the top chunk already had
  if (!kSanitized && std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
    const std::uintptr_t inside = ((before + (std::uintptr_t{4} << 20)) | ((std::uintptr_t{2} << 20) - 1)) - 4095;
    CHECK(vm_flags_at(inside).find(" hg") != std::string::npos);
    CHECK(vm_flags_at(before).find(" hg") == std::string::npos);  // small commands' pages
  }
  // Memory from the reserve is usable, and freed memory is reused.
  auto* block = static_cast<char*>(std::malloc(std::size_t{16} << 20));
  REQUIRE(block != nullptr);
  std::memset(block, 7, std::size_t{16} << 20);
  CHECK(block[(std::size_t{16} << 20) - 1] == 7);
  std::free(block);
}

TEST_CASE("keep_until_exit keeps a value alive after its last owner lets go", "[sys]") {
  auto value = std::make_shared<std::vector<int>>(1000, 7);
  std::weak_ptr<std::vector<int>> seen = value;
  convo::sys::keep_until_exit(value);
  value.reset();
  REQUIRE_FALSE(seen.expired());
  CHECK(seen.lock()->at(999) == 7);
  // Moved in: the moved-from object is left empty, the kept one holds the data.
  std::vector<int> moved(3, 1);
  convo::sys::keep_until_exit(std::move(moved));
  CHECK(moved.empty());
}
