#include "convo/sys/heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace convo::sys {
namespace {

constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
constexpr std::uintptr_t kSmallFirst = std::uintptr_t{1} << 20;

}  // namespace

void advise_huge(void* p, std::size_t n) {
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + n) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void prefer_huge_pages(std::size_t reserve) {
  const auto before = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  if (before == static_cast<std::uintptr_t>(-1)) return;
  if (::mallopt(M_TOP_PAD, static_cast<int>(reserve)) == 0) return;
  // Make malloc extend the heap now (by `reserve` and more): allocate blocks below the mmap
  // threshold until the break moves, then give them back (they stay in the heap's top).
  // (At most as many as the heap's free bytes fill, plus one: then it must grow.)
  constexpr std::size_t kBlock = 64 * 1024;
  const std::size_t most = ::mallinfo2().fordblks / kBlock + 2;
  std::vector<void*> blocks;
  blocks.reserve(most);
  for (std::size_t i = 0; i < most && reinterpret_cast<std::uintptr_t>(::sbrk(0)) == before; ++i)
    blocks.push_back(::malloc(kBlock));
  for (void* b : blocks) ::free(b);
  const auto after = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  // The first megabytes stay in small pages: a short command touches only those, and a huge page
  // would cost it the zeroing of 2 MB it never uses.
  const std::uintptr_t from = before + kSmallFirst;
  if (after > from) advise_huge(reinterpret_cast<void*>(from), after - from);
}

void hold_until_exit(std::shared_ptr<void> value) {
  static std::mutex mutex;
  static auto* held = new std::vector<std::shared_ptr<void>>();  // never destroyed, on purpose
  std::lock_guard<std::mutex> lock(mutex);
  held->push_back(std::move(value));
}

}  // namespace convo::sys
