// Shared libraries loaded on first use (dlopen).
#include "convo/sys/dl.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace convo::sys {

SharedLibrary::SharedLibrary(const char* soname, const char* package) : soname_(soname), package_(package) {
  handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    throw std::runtime_error(std::string("cannot load ") + soname + " (Debian package " + package +
                             "): " + (why ? why : "unknown error"));
  }
}

void SharedLibrary::close() {
  if (handle_) dlclose(handle_);
  handle_ = nullptr;
}

void* SharedLibrary::address(const char* name) const {
  dlerror();
  void* found = dlsym(handle_, name);
  if (!found) {
    const char* why = dlerror();
    throw std::runtime_error(soname_ + " (Debian package " + package_ + ") has no " + name +
                             (why ? std::string(": ") + why : std::string()));
  }
  return found;
}

}  // namespace convo::sys
