// Shared libraries loaded on first use. Every convo process used to map 56 libraries at start,
// most of them for a broker, PostgreSQL, libcurl, libarchive or libjwt that a SQLite-only command
// never calls; now those are opened (dlopen) by the first call into them, and a short command
// starts with only what it needs.
//
// A library's API is a table of function pointers typed from its own header (decltype of the real
// declaration, so a signature cannot drift), filled by name when the table is first used; call
// sites keep calling the library's names, which resolve to forwarders in namespace convo (see
// CONVO_DL_FORWARD). A library that cannot be loaded throws std::runtime_error naming it and the
// Debian package that holds it: every CLI entry point and the server's dispatcher turn that into
// one clear error.
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace convo::sys {

class SharedLibrary {
 public:
  // Opens `soname` (RTLD_NOW | RTLD_LOCAL), or throws; `package` is named in the message.
  SharedLibrary(const char* soname, const char* package);
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  // Not closed by the destructor: a library loaded for the process stays mapped until it ends, as
  // a linked one would (closing at exit would race threads still inside it).
  ~SharedLibrary() = default;
  // Unmaps it (and what it alone needed). Only when nothing will call into it again.
  void close();

  // The function `name`, or throws.
  template <typename F>
  F function(const char* name) const {
    return reinterpret_cast<F>(address(name));
  }

 private:
  void* address(const char* name) const;
  void* handle_ = nullptr;
  std::string soname_, package_;
};

// A library loaded while at least one Use of it is alive and closed, its pages unmapped, when the
// last Use ends: for a library a long-running server needs in short bursts (libarchive, reading a
// model at start and at each swap). `table()` is valid only while a Use is alive.
template <typename Table>
class LoadedWhileUsed {
 public:
  using Fill = void (*)(const SharedLibrary&, Table&);
  LoadedWhileUsed(const char* soname, const char* package, Fill fill) : soname_(soname), package_(package), fill_(fill) {}

  class Use {
   public:
    explicit Use(LoadedWhileUsed& owner) : owner_(owner) { owner_.acquire(); }
    ~Use() { owner_.release(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    LoadedWhileUsed& owner_;
  };

  const Table& table() const {
    if (!lib_) throw std::logic_error(std::string(soname_) + " called without holding it loaded (a Use)");
    return table_;
  }

 private:
  void acquire() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (users_ == 0) {
      auto lib = std::make_unique<SharedLibrary>(soname_, package_);
      Table filled;
      fill_(*lib, filled);
      table_ = filled;  // no Use is alive: nobody reads it now
      lib_ = std::move(lib);
    }
    ++users_;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--users_ > 0) return;
    table_ = Table{};
    lib_->close();
    lib_.reset();
  }

  const char* soname_;
  const char* package_;
  Fill fill_;
  std::mutex mutex_;
  std::size_t users_ = 0;
  std::unique_ptr<SharedLibrary> lib_;
  Table table_{};
};

}  // namespace convo::sys

// A library's functions are listed once, as `#define LIST(X, arg) X(arg, f1) X(arg, f2) ...`; the
// macros below take each entry.
// In the API table: a member holding the library's function `name`.
#define CONVO_DL_MEMBER(unused, name) decltype(&::name) name = nullptr;
// In a loader (a SharedLibrary `lib`): fills the member of the table `t`.
#define CONVO_DL_LOAD(unused, name) t.name = lib.function<decltype(&::name)>(#name);
// In namespace convo: `name` as a function object forwarding to the member of the table `api()`
// returns. Being an object, not a function, it hides the global declaration for unqualified calls
// inside namespace convo, argument-dependent lookup included.
#define CONVO_DL_FORWARD(api, name)               \
  struct name##_forward {                         \
    template <typename... A>                      \
    decltype(auto) operator()(A&&... a) const {   \
      return api().name(std::forward<A>(a)...);   \
    }                                             \
  };                                              \
  inline constexpr name##_forward name{};

// The table type `Api` of the functions LIST names, and their forwarders through `api()`.
#define CONVO_DL_TABLE(Api, LIST) \
  struct Api {                    \
    LIST(CONVO_DL_MEMBER, _)      \
  };
#define CONVO_DL_FORWARDERS(api, LIST) LIST(CONVO_DL_FORWARD, api)

// A library opened at the first call into it and kept for the process: the table `Api`, `api()`
// filling it from `soname` once, and the forwarders.
#define CONVO_DL_LIBRARY(Api, api, soname, package, LIST)          \
  CONVO_DL_TABLE(Api, LIST)                                        \
  inline const Api& api() {                                        \
    static const Api table = [] {                                  \
      static const ::convo::sys::SharedLibrary lib(soname, package); \
      Api t;                                                       \
      LIST(CONVO_DL_LOAD, _)                                       \
      return t;                                                    \
    }();                                                           \
    return table;                                                  \
  }                                                                \
  CONVO_DL_FORWARDERS(api, LIST)
