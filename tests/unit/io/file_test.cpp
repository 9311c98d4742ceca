// io/file: read_text_file gives a file's exact bytes, whatever its size, and names the path in
// its errors.
#include <catch2/catch.hpp>

#include <string>

#include "../temp_dir.hpp"
#include "convo/io/file.hpp"

using namespace convo;
using convo::test::TempDir;

TEST_CASE("read_text_file returns every byte of small, empty and large files", "[io]") {
  TempDir dir;
  std::string small = std::string("a\0b\r\n", 5) + "é";
  CHECK(*read_text_file(dir.file("small", small)) == small);
  CHECK(read_text_file(dir.file("empty", ""))->empty());
  // Larger than the size from which the buffer is advised for huge pages, and not a multiple of
  // any page size.
  std::string large;
  for (std::size_t i = 0; large.size() < (std::size_t{5} << 20) + 12345; ++i) large += std::to_string(i * 7919) + ",";
  auto read = read_text_file(dir.file("large", large));
  REQUIRE(read);
  CHECK(read->size() == large.size());
  CHECK(*read == large);
}

TEST_CASE("read_text_file names the path of a missing file or a directory", "[io]") {
  TempDir dir;
  auto missing = read_text_file(dir / "nope.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::NotFound);
  CHECK(missing.error().message.find("nope.json") != std::string::npos);
  auto directory = read_text_file(dir.path.string());
  REQUIRE_FALSE(directory);
  CHECK(directory.error().message.find(dir.path.string()) != std::string::npos);
}

TEST_CASE("read_file_text gives the same bytes and errors as read_text_file", "[io]") {
  TempDir dir;
  std::string large;
  for (std::size_t i = 0; large.size() < (std::size_t{5} << 20) + 777; ++i) large += std::to_string(i * 31) + ";";
  for (const std::string& content : {std::string("x\0y", 3), std::string(), large}) {
    const std::string path = dir.file("f" + std::to_string(content.size()), content);
    auto text = read_file_text(path);
    REQUIRE(text);
    CHECK(text->view() == content);
  }
  auto missing = read_file_text(dir / "nope.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::NotFound);
  CHECK(missing.error().message.find("nope.json") != std::string::npos);
  auto directory = read_file_text(dir.path.string());
  REQUIRE_FALSE(directory);
  CHECK(directory.error().message.find(dir.path.string()) != std::string::npos);
}
