// io/atomic_file: a file is replaced whole or not at all, and temp files do not linger.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../store/test_db.hpp"
#include "convo/io/atomic_file.hpp"

using namespace convo;
using convo::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("write_file_atomically replaces the file and leaves no temp file", "[io]") {
  TempDir dir;
  fs::path target = dir.path / "fingerprint";
  REQUIRE_FALSE(write_file_atomically(target.string(), "one\n").has_value());
  REQUIRE_FALSE(write_file_atomically(target.string(), "two\n").has_value());
  CHECK(read(target) == "two\n");
  CHECK(files_in(dir.path) == 1);
  CHECK((fs::status(target).permissions() & fs::perms::others_read) != fs::perms::none);
}

TEST_CASE("AtomicFile: nothing appears until commit; a discarded or failed write leaves the old file", "[io]") {
  TempDir dir;
  fs::path target = dir.path / "model.tar.gz";
  REQUIRE_FALSE(write_file_atomically(target.string(), "old").has_value());
  {
    auto file = AtomicFile::create(dir.path.string(), ".convo-test-");
    REQUIRE(file.ok());
    REQUIRE(file->write("new", 3));
    CHECK(fs::exists(file->temp_path()));
    CHECK(fs::path(file->temp_path()).filename().string().rfind(".convo-test-" + std::to_string(getpid()) + "-", 0) == 0);
    CHECK(read(target) == "old");
  }  // destroyed without commit
  CHECK(read(target) == "old");
  CHECK(files_in(dir.path) == 1);

  auto file = AtomicFile::create(dir.path.string());
  REQUIRE(file.ok());
  REQUIRE(file->write("new", 3));
  auto err = file->commit((dir.path / "no-such-dir" / "x").string());
  REQUIRE(err.has_value());
  CHECK(files_in(dir.path) == 1);

  auto missing = AtomicFile::create((dir.path / "absent").string());
  REQUIRE_FALSE(missing.ok());
}

TEST_CASE("remove_stale_temp_files removes only dead processes' temp files", "[io]") {
  TempDir dir;
  std::ofstream(dir.path / ".convo-pull-999999999-abc.part") << "x";  // no such process
  const std::string mine = ".convo-pull-" + std::to_string(getpid()) + "-abc.part";
  std::ofstream(dir.path / mine) << "x";
  std::ofstream(dir.path / "other.part") << "x";
  remove_stale_temp_files(dir.path.string(), ".convo-pull-");
  CHECK_FALSE(fs::exists(dir.path / ".convo-pull-999999999-abc.part"));
  CHECK(fs::exists(dir.path / mine));
  CHECK(fs::exists(dir.path / "other.part"));
}
