// Transparent huge pages for the heap of a process that reads a lot. On this project's machines
// (virtual ones) a page fault costs microseconds, and a command that decodes a large conversation
// touches hundreds of megabytes of fresh heap: 4 KB faults were 30-45% of `events validate` and
// `tracker get`. The kernel's THP mode there is `madvise`, so a process must ask; glibc asks only
// when started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a user never sets. This does the
// same from inside: the heap grows in large steps (M_TOP_PAD) and the grown range is advised
// MADV_HUGEPAGE, so it is faulted 2 MB at a time. Memory is still only committed as it is touched.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace convo::sys {

// Grows the heap by `reserve` bytes of address space now and advises it (and later large
// buffers, see advise_huge) for huge pages. Best effort: any step the system refuses is skipped.
// Call once, early, before the process allocates much.
void prefer_huge_pages(std::size_t reserve = std::size_t{256} << 20);

// Advises [p, p + n) for huge pages (the 2 MB-aligned part of it); for large buffers that malloc
// maps on their own, such as a whole input file, before they are first written.
void advise_huge(void* p, std::size_t n);

// Keeps `value` alive until the process exits, so that a command about to end does not free a
// large structure object by object (the kernel takes the whole heap back at once): 20k decoded
// events took longer to free than to write out. Still reachable (a leak checker stays quiet).
void hold_until_exit(std::shared_ptr<void> value);
template <typename T>
void keep_until_exit(T&& value) {
  hold_until_exit(std::make_shared<std::decay_t<T>>(std::forward<T>(value)));
}

}  // namespace convo::sys
