// Shared libraries loaded on first use: a library that is there gives its functions; a missing one,
// or a missing function, is one clear error naming the library and its Debian package.
#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>

#include "convo/sys/dl.hpp"

using convo::sys::SharedLibrary;

TEST_CASE("a library opened by name gives its functions", "[sys]") {
  SharedLibrary libc("libc.so.6", "libc6");
  auto length = libc.function<std::size_t (*)(const char*)>("strlen");
  REQUIRE(length != nullptr);
  CHECK(length("convo") == 5);
}

TEST_CASE("a missing library or function is an error naming it and its package", "[sys]") {
  try {
    SharedLibrary missing("libconvo-missing.so.9", "libconvo-missing9");
    FAIL("a missing library was opened");
  } catch (const std::runtime_error& e) {
    CHECK(std::strstr(e.what(), "libconvo-missing.so.9") != nullptr);
    CHECK(std::strstr(e.what(), "Debian package libconvo-missing9") != nullptr);
  }
  SharedLibrary libc("libc.so.6", "libc6");
  try {
    libc.function<void (*)()>("convo_no_such_function");
    FAIL("a missing function was found");
  } catch (const std::runtime_error& e) {
    CHECK(std::strstr(e.what(), "convo_no_such_function") != nullptr);
    CHECK(std::strstr(e.what(), "libc.so.6") != nullptr);
  }
}
