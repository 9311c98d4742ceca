// Model archives: the .tar.gz files `convo model build` writes, `convo model pull` fetches and
// `serve --model` loads. Layout (documented in man/convo-model.1):
//   fingerprint.json   Rasa-style fingerprint (GET /status reports it verbatim)
//   metadata.json      build time, convo version, input files, counts
//   domain.yml config.yml data/*.yml   the project's inputs, as validated
// Archives made by Rasa (core/domain.yml, nlu/, fingerprint.json) load too, with fewer facts.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/domain.hpp"
#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {
namespace dialogue {
struct Bot;
}
namespace nlu {
class NluModel;
}

// The member convo's NLU model is kept in (nlu::NluModel::to_bytes), when the project has examples.
inline constexpr const char* kNluModelMember = "nlu_model.bin";


struct ArchiveMember {
  std::string name;  // path inside the archive ("data/stories.yml")
  std::string data;
};

// What reading an archive may cost: a member or a whole archive that expands past these is refused
// before more is read (a gzip bomb stops at the limit, not at the end of memory or disk).
// Keeps libarchive loaded while alive; without one it is loaded for each read or write and closed
// after it, so a server maps it (and the XML and ICU libraries it needs) only while it handles a
// model. Hold one around many archive operations (a fuzzer, a loop) to load it once.
class ArchiveUse {
 public:
  ArchiveUse();
  ~ArchiveUse();
  ArchiveUse(const ArchiveUse&) = delete;
  ArchiveUse& operator=(const ArchiveUse&) = delete;

 private:
  struct Held;
  std::unique_ptr<Held> held_;
};

struct ArchiveLimits {
  std::uint64_t max_total_bytes = std::uint64_t{4} << 30;  // all members, expanded (4 GiB)
  std::uint64_t max_kept_bytes = std::uint64_t{256} << 20;  // one member whose bytes are kept
  std::size_t max_members = 100000;
};

// Reads a gzip-compressed tar archive from end to end, so a truncated or corrupt file is an error.
// Members with an absolute path or a ".." part, and links, are refused (as Rasa's tarsafe); so
// are archives past `limits`. Nothing is written to disk. `keep` chooses the members whose bytes
// are returned; the others are only read and checked. Every member's name is returned (data empty
// when not kept).
Result<std::vector<ArchiveMember>> read_tar_gz(const std::string& path,
                                               const std::function<bool(const std::string&)>& keep = nullptr,
                                               const ArchiveLimits& limits = {});
// The same for an archive held in memory; `name` stands for it in errors.
Result<std::vector<ArchiveMember>> read_tar_gz_bytes(std::string_view bytes, const std::string& name,
                                                     const std::function<bool(const std::string&)>& keep = nullptr,
                                                     const ArchiveLimits& limits = {});

// Writes `members` as a gzip-compressed tar (regular files, mode 0644, mtime `mtime`) to a temp
// file next to `path`, then renames it into place: readers never see half an archive.
Result<bool> write_tar_gz(const std::string& path, const std::vector<ArchiveMember>& members, std::time_t mtime);

// What a loaded model archive says about itself.
struct ModelArchive {
  std::string path;
  Json fingerprint = Json::object();  // fingerprint.json; {} when the archive has none
  Json metadata = Json::object();     // metadata.json; {} for archives convo did not build
  std::shared_ptr<const Domain> domain;  // domain.yml (or Rasa's core/domain.yml); null when absent
  // The rules and stories of data/*.yml trained with config.yml's policies; null without both
  // a domain and config.yml (archives Rasa made).
  std::shared_ptr<const dialogue::Bot> bot;
  // convo's NLU model (kNluModelMember); null when the project had no NLU examples.
  std::shared_ptr<const nlu::NluModel> nlu;
  Json domain_names;                     // what domain.yml lists, defaults left out: {"intents":
                                         // [...], "entities", "slots", "responses", "actions", "forms"}
  std::optional<std::size_t> stories;    // counted from data/*.yml when the archive has them
  std::optional<std::size_t> rules;
  std::vector<std::string> members;      // every member's name, in archive order

  // The headline fingerprint: fingerprint.json's "project" (a hash of the inputs) when present,
  // else a hash of the whole fingerprint.json, else "".
  std::string id() const;
};

// Loads and checks an archive (read_tar_gz), parsing fingerprint.json, metadata.json and the domain.
// Errors name the archive: "models/x.tar.gz: domain.yml:3: ...".
// data/*.yml and data/*.yaml: the files the dialogue (rules, stories) is trained from.
bool is_training_file(const std::string& name);

Result<ModelArchive> load_model_archive(const std::string& path);
// The same for an archive held in memory (`name` stands for it in errors and in `path`).
Result<ModelArchive> load_model_archive_bytes(std::string_view bytes, const std::string& name);

// A model path as `serve --model` takes it: a file is itself; a directory yields its newest
// *.tar.gz (latest modification time, then the greatest name). NotFound when there is none.
Result<std::string> resolve_model_path(const std::string& path);

// The archive as `convo model inspect -o json` prints it: file, fingerprint, build time, domain
// summary (intents, entities, slots, responses, actions, forms), stories, rules.
Json model_summary_json(const ModelArchive& archive);

}  // namespace convo
