// A model archive from any bytes (gzip, tar, hostile member names, links, sizes), read in memory
// with small limits so that expansion past them is exercised.
#include "convo/model/archive.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ArchiveUse loaded;  // libarchive opened once, not at every input
  ArchiveLimits limits;
  limits.max_total_bytes = 8u << 20;
  limits.max_kept_bytes = 1u << 20;
  limits.max_members = 1000;
  auto members = read_tar_gz_bytes(fuzz::as_text(data, size), "fuzz.tar.gz", [](const std::string&) { return true; },
                                   limits);
  if (members) {
    for (const auto& m : *members) {
      fuzz::require(!m.name.empty() && m.name[0] != '/', "member names are relative");
      fuzz::require(("/" + m.name + "/").find("/../") == std::string::npos, "no member leaves the archive");
      fuzz::require(m.data.size() <= limits.max_kept_bytes, "kept members within the limit");
    }
  }
  (void)load_model_archive_bytes(fuzz::as_text(data, size), "fuzz.tar.gz");
  return 0;
}
