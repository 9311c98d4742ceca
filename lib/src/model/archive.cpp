// Model archives with libarchive: checked reading, atomic writing, loading for serve and inspect.
#include "convo/model/archive.hpp"
#include "convo/io/atomic_file.hpp"

#include "archive_api.hpp"
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "convo/core/text.hpp"
#include "convo/core/yaml_json.hpp"
#include "convo/model/project.hpp"
#include "convo/dialogue/processor.hpp"
#include "convo/nlu/nlu_model.hpp"

namespace convo {
namespace {

namespace fs = std::filesystem;

struct ReaderFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriterFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::string libarchive_message(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown libarchive error";
}

// "./a/b" -> "a/b"; "" for names that would leave the extraction directory.
std::string safe_member_name(const std::string& raw) {
  std::string name = raw;
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  if (name.empty() || name[0] == '/') return "";
  std::size_t start = 0;
  for (;;) {
    std::size_t end = name.find('/', start);
    if (name.compare(start, end == std::string::npos ? std::string::npos : end - start, "..") == 0) return "";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return name;
}

Result<Json> parse_json_member(const std::string& archive_path, const ArchiveMember& member) {
  try {
    Json value = Json::parse(member.data);
    if (!value.is_object()) return runtime_error(archive_path + ": " + member.name + ": expected a JSON object");
    return value;
  } catch (const std::exception& e) {
    return runtime_error(archive_path + ": " + member.name + ": invalid JSON: " + e.what());
  }
}

}  // namespace

namespace {

// One reader for files and memory: `open` attaches the source to a fresh libarchive reader.
Result<std::vector<ArchiveMember>> read_members(const std::string& path,
                                                const std::function<int(archive*)>& open,
                                                const std::function<bool(const std::string&)>& keep,
                                                const ArchiveLimits& limits) {
  const ArchiveUse loaded;
  std::unique_ptr<archive, ReaderFree> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (open(a.get()) != ARCHIVE_OK)
    return runtime_error(path + ": not a readable .tar.gz archive: " + libarchive_message(a.get()));
  std::vector<ArchiveMember> members;
  std::vector<char> buffer(1 << 16);
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(entry);
    std::string name = safe_member_name(raw ? raw : "");
    if (name.empty())
      return runtime_error(path + ": unsafe member path '" + std::string(raw ? raw : "") + "' (outside the archive)");
    auto type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry) || type == AE_IFLNK)
      return runtime_error(path + ": member '" + name + "' is a link; model archives hold only files");
    if (type != AE_IFREG && type != AE_IFDIR)
      return runtime_error(path + ": member '" + name + "' is not a regular file or directory");
    if (members.size() >= limits.max_members)
      return runtime_error(path + ": more than " + std::to_string(limits.max_members) + " members; refused");
    ArchiveMember member{name, ""};
    bool wanted = type == AE_IFREG && keep && keep(name);
    const std::uint64_t member_limit = wanted ? limits.max_kept_bytes : limits.max_total_bytes;
    auto too_large = [&](const std::string& what, std::uint64_t limit) {
      return runtime_error(path + ": " + what + " expands past " + std::to_string(limit) + " bytes; refused");
    };
    // The header's size is checked first; the bytes actually read are counted too, since a
    // damaged or hostile header may understate them.
    const la_int64_t declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    if (declared > 0 && static_cast<std::uint64_t>(declared) > member_limit) return too_large("member '" + name + "'", member_limit);
    std::uint64_t read = 0;
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n < 0) return runtime_error(path + ": damaged archive at '" + name + "': " + libarchive_message(a.get()));
      if (n == 0) break;
      read += static_cast<std::uint64_t>(n);
      total += static_cast<std::uint64_t>(n);
      if (read > member_limit) return too_large("member '" + name + "'", member_limit);
      if (total > limits.max_total_bytes) return too_large("the archive", limits.max_total_bytes);
      if (wanted) member.data.append(buffer.data(), static_cast<std::size_t>(n));
    }
    members.push_back(std::move(member));
  }
  if (rc != ARCHIVE_EOF)
    return runtime_error(path + ": not a readable .tar.gz archive: " + libarchive_message(a.get()));
  if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_GZIP)
    return runtime_error(path + ": not gzip-compressed (a model archive is a .tar.gz)");
  if (members.empty()) return runtime_error(path + ": the archive is empty");
  return members;
}

}  // namespace

struct ArchiveUse::Held {
  sys::LoadedWhileUsed<ArchiveApi>::Use use{archive_library()};
};
ArchiveUse::ArchiveUse() : held_(std::make_unique<Held>()) {}
ArchiveUse::~ArchiveUse() = default;

Result<std::vector<ArchiveMember>> read_tar_gz(const std::string& path,
                                               const std::function<bool(const std::string&)>& keep,
                                               const ArchiveLimits& limits) {
  return read_members(path, [&](archive* a) { return archive_read_open_filename(a, path.c_str(), 1 << 16); },
                      keep, limits);
}

Result<std::vector<ArchiveMember>> read_tar_gz_bytes(std::string_view bytes, const std::string& name,
                                                     const std::function<bool(const std::string&)>& keep,
                                                     const ArchiveLimits& limits) {
  return read_members(name, [&](archive* a) { return archive_read_open_memory(a, bytes.data(), bytes.size()); },
                      keep, limits);
}

Result<bool> write_tar_gz(const std::string& path, const std::vector<ArchiveMember>& members, std::time_t mtime) {
  fs::path target(path);
  auto file = AtomicFile::create(target.parent_path().string());
  if (!file) return runtime_error(path + ": cannot write the archive: " + file.error().message);
  auto fail = [&](archive* a) { return runtime_error(path + ": cannot write the archive: " + libarchive_message(a)); };
  {
    const ArchiveUse loaded;
    std::unique_ptr<archive, WriterFree> a(archive_write_new());
    archive_write_add_filter_gzip(a.get());
    archive_write_set_format_pax_restricted(a.get());
    // libarchive writes the temp file through its own descriptor; commit() syncs and renames it.
    if (archive_write_open_filename(a.get(), file->temp_path().c_str()) != ARCHIVE_OK) return fail(a.get());
    for (const auto& m : members) {
      std::unique_ptr<archive_entry, archive_entry_free_forward> e(archive_entry_new());
      archive_entry_set_pathname(e.get(), m.name.c_str());
      archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data.size()));
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), 0644);
      archive_entry_set_mtime(e.get(), mtime, 0);
      if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail(a.get());
      if (!m.data.empty() && archive_write_data(a.get(), m.data.data(), m.data.size()) < 0) return fail(a.get());
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) return fail(a.get());
  }
  if (auto err = file->commit(path)) return runtime_error(path + ": cannot write the archive: " + err->message);
  return true;
}

std::string ModelArchive::id() const {
  if (fingerprint.contains("project") && fingerprint["project"].is_string())
    return fingerprint["project"].get<std::string>();
  if (fingerprint.empty()) return "";
  return sha256_hex(fingerprint.dump());
}

bool is_training_file(const std::string& name) {
  return name.rfind("data/", 0) == 0 && (ends_with(name, ".yml") || ends_with(name, ".yaml"));
}

namespace {

bool is_model_member(const std::string& name) {
  return name == "fingerprint.json" || name == "metadata.json" || name == "domain.yml" ||
         name == "core/domain.yml" || name == "config.yml" || is_training_file(name) || name == kNluModelMember;
}

// The model that an archive's members make (the members as read_tar_gz returned them).
Result<ModelArchive> model_from_members(const std::string& path, const Result<std::vector<ArchiveMember>>& members) {
  if (!members) return members.error();
  ModelArchive model;
  model.path = path;
  const ArchiveMember* domain_member = nullptr;
  const ArchiveMember* config_member = nullptr;
  std::vector<std::pair<std::string, std::string>> training;
  for (const auto& m : *members) {
    if (m.name == "config.yml") config_member = &m;
    if (is_training_file(m.name)) training.emplace_back(m.name, m.data);
    model.members.push_back(m.name);
    if (m.name == kNluModelMember) {
      auto nlu = nlu::NluModel::from_bytes(m.data);
      if (!nlu) return Error{nlu.error().kind, path + ": " + m.name + ": " + nlu.error().message};
      model.nlu = std::make_shared<const nlu::NluModel>(std::move(*nlu));
    }
    if (m.name == "fingerprint.json" || m.name == "metadata.json") {
      auto parsed = parse_json_member(path, m);
      if (!parsed) return parsed.error();
      (m.name == "fingerprint.json" ? model.fingerprint : model.metadata) = std::move(*parsed);
    } else if (m.name == "domain.yml" || (m.name == "core/domain.yml" && !domain_member)) {
      domain_member = &m;
    }
  }
  if (domain_member) {
    auto domain = domain_from_yaml(domain_member->data, domain_member->name);
    if (!domain) return Error{domain.error().kind, path + ": " + domain.error().message};
    model.domain = std::make_shared<const Domain>(std::move(*domain));
    SourceMap map(domain_member->name);
    auto raw = yaml_to_json(domain_member->data, map);
    if (raw) model.domain_names = domain_names(*raw);
  }
  // The dialogue: rules and stories compiled for the domain with config.yml's policies.
  if (model.domain && config_member) {
    SourceMap map("config.yml");
    auto config = yaml_to_json(config_member->data, map);
    if (!config) return Error{config.error().kind, path + ": " + config.error().message};
    auto bot = dialogue::build_bot(model.domain, *config, training);
    if (!bot) return Error{bot.error().kind, path + ": " + bot.error().message};
    model.bot = *bot;
  }
  const Json counts = model.metadata.value("counts", Json::object());
  if (counts.contains("stories") && counts["stories"].is_number_unsigned())
    model.stories = counts["stories"].get<std::size_t>();
  if (counts.contains("rules") && counts["rules"].is_number_unsigned())
    model.rules = counts["rules"].get<std::size_t>();
  return model;
}

}  // namespace

Result<ModelArchive> load_model_archive(const std::string& path) {
  return model_from_members(path, read_tar_gz(path, is_model_member));
}

Result<ModelArchive> load_model_archive_bytes(std::string_view bytes, const std::string& name) {
  return model_from_members(name, read_tar_gz_bytes(bytes, name, is_model_member));
}

Result<std::string> resolve_model_path(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return not_found_error("no model file or directory at '" + path + "'");
  if (!fs::is_directory(status)) return path;
  std::string best;
  fs::file_time_type best_time{};
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !ends_with(name, ".tar.gz")) continue;
    if (!entry.is_regular_file(ec)) continue;
    auto time = entry.last_write_time(ec);
    if (ec) continue;
    if (best.empty() || time > best_time || (time == best_time && entry.path().string() > best)) {
      best = entry.path().string();
      best_time = time;
    }
  }
  if (ec) return runtime_error(path + ": " + ec.message());
  if (best.empty()) return not_found_error("no *.tar.gz model archive in '" + path + "'");
  return best;
}

Json model_summary_json(const ModelArchive& archive) {
  Json out;
  out["file"] = archive.path;
  out["fingerprint"] = archive.id();
  const Json& meta = archive.metadata;
  if (meta.contains("built_at")) out["built_at"] = meta["built_at"];
  else if (archive.fingerprint.contains("trained_at")) out["built_at"] = archive.fingerprint["trained_at"];
  else out["built_at"] = nullptr;
  out["convo_version"] = meta.value("convo_version", Json());
  out["domain"] = archive.domain_names;
  out["stories"] = archive.stories ? Json(*archive.stories) : Json();
  out["rules"] = archive.rules ? Json(*archive.rules) : Json();
  out["members"] = archive.members;
  // What decides: RulePolicy and MemoizationPolicy are emulated; other policies are listed as
  // not emulated (convo does not run machine-learning policies).
  out["dialogue"] = archive.bot ? archive.bot->policies->summary() : Json();
  return out;
}

}  // namespace convo
