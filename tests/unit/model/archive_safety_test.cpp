// Archive safety: hostile model archives (paths out of the archive, links, members that expand past
// the limits, too many members) are refused with a clear error, and reading never writes a file.
#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "convo/model/archive.hpp"
#include "../temp_dir.hpp"

using namespace convo;
using convo::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct Entry {
  Entry(std::string n, std::string d, unsigned t = AE_IFREG, std::string l = "", bool h = false)
      : name(std::move(n)), data(std::move(d)), type(t), link(std::move(l)), hard(h) {}
  std::string name;
  std::string data;
  unsigned type;
  std::string link;  // symlink target, or hardlink target when `hard`
  bool hard;
};

// A .tar.gz written with libarchive directly, so that it can hold what write_tar_gz never writes.
std::string make_archive(const std::vector<Entry>& entries) {
  std::vector<char> out(64u << 20);
  std::size_t used = 0;
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  REQUIRE(archive_write_open_memory(a, out.data(), out.size(), &used) == ARCHIVE_OK);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    if (e.hard) archive_entry_set_hardlink(entry, e.link.c_str());
    else if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(out.data(), used);
}

std::size_t files_under(const fs::path& dir) {
  std::size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) ++n;
  return n;
}

auto keep_all = [](const std::string&) { return true; };

}  // namespace

TEST_CASE("archive safety: member paths that leave the archive are refused", "[model][archive]") {
  for (const char* name : {"../evil.yml", "/etc/evil.yml", "data/../../evil.yml", "./../evil.yml", "data/.."}) {
    INFO(name);
    auto read = read_tar_gz_bytes(make_archive({{"domain.yml", "version: '2.0'\n"}, {name, "x"}}), "m.tar.gz", keep_all);
    REQUIRE_FALSE(read);
    CHECK_THAT(read.error().message, Contains("m.tar.gz: unsafe member path"));
  }
  // Names that merely contain dots stay fine.
  auto dots = read_tar_gz_bytes(make_archive({{"data/a..b.yml", "x"}, {"./domain.yml", "y"}}), "m.tar.gz", keep_all);
  REQUIRE(dots);
  CHECK(dots->at(0).name == "data/a..b.yml");
  CHECK(dots->at(1).name == "domain.yml");
}

TEST_CASE("archive safety: links are refused", "[model][archive]") {
  Entry symlink{"domain.yml", "", AE_IFLNK, "/etc/passwd"};
  auto sym = read_tar_gz_bytes(make_archive({symlink}), "m.tar.gz", keep_all);
  REQUIRE_FALSE(sym);
  CHECK_THAT(sym.error().message, Contains("'domain.yml' is a link"));
  Entry hard{"config.yml", "", AE_IFREG, "domain.yml", true};
  auto hardlink = read_tar_gz_bytes(make_archive({{"domain.yml", "x"}, hard}), "m.tar.gz", keep_all);
  REQUIRE_FALSE(hardlink);
  CHECK_THAT(hardlink.error().message, Contains("'config.yml' is a link"));
  Entry fifo{"data/pipe", "", AE_IFIFO};
  auto special = read_tar_gz_bytes(make_archive({fifo}), "m.tar.gz", keep_all);
  REQUIRE_FALSE(special);
  CHECK_THAT(special.error().message, Contains("not a regular file"));
}

TEST_CASE("archive safety: members that expand past the limits are refused", "[model][archive]") {
  const std::string zeros(3u << 20, '\0');  // 3 MiB of zeros: a few KiB compressed
  const std::string bomb = make_archive({{"data/a.yml", zeros}, {"data/b.yml", zeros}});
  REQUIRE(bomb.size() < 64u << 10);
  ArchiveLimits limits;
  limits.max_kept_bytes = 1u << 20;
  auto kept = read_tar_gz_bytes(bomb, "bomb.tar.gz", keep_all, limits);
  REQUIRE_FALSE(kept);
  CHECK_THAT(kept.error().message, Contains("bomb.tar.gz: member 'data/a.yml' expands past 1048576 bytes"));

  // Members only read through count towards the total.
  limits.max_kept_bytes = 64u << 20;
  limits.max_total_bytes = 5u << 20;
  auto total = read_tar_gz_bytes(bomb, "bomb.tar.gz", nullptr, limits);
  REQUIRE_FALSE(total);
  CHECK_THAT(total.error().message, Contains("the archive expands past 5242880 bytes"));

  limits.max_total_bytes = 6u << 20;
  auto fits = read_tar_gz_bytes(bomb, "bomb.tar.gz", nullptr, limits);
  REQUIRE(fits);
  CHECK(fits->size() == 2);
}

TEST_CASE("archive safety: too many members are refused", "[model][archive]") {
  std::vector<Entry> many;
  for (int i = 0; i < 12; ++i) many.push_back({"data/" + std::to_string(i) + ".yml", "x"});
  ArchiveLimits limits;
  limits.max_members = 10;
  auto read = read_tar_gz_bytes(make_archive(many), "many.tar.gz", nullptr, limits);
  REQUIRE_FALSE(read);
  CHECK_THAT(read.error().message, Contains("more than 10 members"));
  limits.max_members = 12;
  CHECK(read_tar_gz_bytes(make_archive(many), "many.tar.gz", nullptr, limits));
}

TEST_CASE("archive safety: loading a hostile model writes nothing anywhere", "[model][archive]") {
  TempDir dir;
  fs::create_directories(dir.path / "models");
  const std::string path = (dir.path / "models" / "evil.tar.gz").string();
  std::ofstream(path, std::ios::binary) << make_archive(
      {{"domain.yml", "version: '2.0'\n"}, {"../../escaped.yml", "pwned"}, {"/tmp/convo-escaped.yml", "pwned"}});
  const std::size_t before = files_under(dir.path);
  auto loaded = load_model_archive(path);
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error().message, Contains("unsafe member path '../../escaped.yml'"));
  CHECK(files_under(dir.path) == before);
  CHECK_FALSE(fs::exists("/tmp/convo-escaped.yml"));
  CHECK_FALSE(fs::exists(dir.path.parent_path() / "escaped.yml"));
}
