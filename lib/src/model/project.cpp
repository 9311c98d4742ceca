// Reading a project from disk and packing it into a model archive with its fingerprint.
#include "convo/model/project.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "convo/core/rasa_version.hpp"
#include "convo/core/text.hpp"
#include "convo/core/yaml_json.hpp"
#include "convo/io/file.hpp"
#include "convo/model/archive.hpp"
#include "convo/nlu/nlu_model.hpp"
#include "convo/sys/crypto_api.hpp"

namespace convo {
namespace {

namespace fs = std::filesystem;

std::string utc_stamp(std::time_t now, const char* format) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// Hash of named parts: each name and size framed, so moving bytes between files changes it.
std::string hash_files(const std::vector<ProjectFile>& files, bool (*chosen)(const std::string&)) {
  std::string framed;
  for (const auto& f : files) {
    if (!chosen(f.name)) continue;
    framed += f.name + '\0' + std::to_string(f.text.size()) + '\0' + f.text;
  }
  return sha256_hex(framed);
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

Result<std::vector<ProjectFile>> read_project(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return not_found_error("no project directory at '" + dir + "'");
  std::vector<ProjectFile> files;
  for (const char* name : {"domain.yml", "config.yml"}) {
    fs::path p = fs::path(dir) / name;
    if (!fs::exists(p, ec)) continue;  // validate_project reports it with the other problems
    auto text = read_text_file(p.string());
    if (!text) return text.error();
    files.push_back({name, std::move(*text)});
  }
  fs::path data = fs::path(dir) / "data";
  std::vector<ProjectFile> data_files;
  if (fs::is_directory(data, ec)) {
    for (auto it = fs::recursive_directory_iterator(data, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec) || !nlu::is_data_file_name(it->path().filename().string())) continue;
      auto text = read_text_file(it->path().string());
      if (!text) return text.error();
      data_files.push_back({fs::relative(it->path(), dir).generic_string(), std::move(*text)});
    }
    if (ec) return runtime_error(data.string() + ": " + ec.message());
  }
  std::sort(data_files.begin(), data_files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& f : data_files) files.push_back(std::move(f));
  return files;
}

std::string project_location(const std::string& dir) {
  return dir.empty() || dir == "." ? "" : dir + (dir.back() == '/' ? "" : "/");
}

Result<bool> read_lookup_files(nlu::TrainingData& data, const std::string& project_dir) {
  for (const auto& file : data.lookup_files) {
    const fs::path written(file.path);
    std::vector<fs::path> candidates;
    if (written.is_absolute() || project_dir.empty()) candidates.push_back(written);
    else candidates = {fs::path(project_dir) / written, written};
    std::error_code ec;
    auto found = std::find_if(candidates.begin(), candidates.end(), [&](const fs::path& p) { return fs::is_regular_file(p, ec); });
    if (found == candidates.end())
      return runtime_error(file.where + ": could not load lookup table '" + file.path + "': no such file" +
                             (candidates.size() > 1 ? " in the project or the current directory" : ""));
    auto text = read_text_file(found->string());
    if (!text) return Error{text.error().kind, file.where + ": lookup table: " + text.error().message};
    if (auto bad = invalid_utf8_at(*text))
      return runtime_error(file.where + ": lookup table '" + file.path + "':" +
                           std::to_string(line_column(*text, *bad).first) + ": not UTF-8");
    nlu::add_lookup_elements(data, file.table, *text);
  }
  data.lookup_files.clear();
  return true;
}

Result<std::string> train_project_nlu(const std::vector<ProjectFile>& files, std::vector<std::string>& warnings,
                                      Json* summary, const std::string& project_dir) {
  nlu::TrainingData data;
  Json config;
  const std::string location = project_location(project_dir);
  for (const auto& f : files) {
    if (f.name == "config.yml") {
      SourceMap map(f.name);
      auto parsed = yaml_to_json(f.text, map);
      if (!parsed) return parsed.error();
      config = std::move(*parsed);
    }
    if (f.name.rfind("data/", 0) != 0) continue;
    auto read = nlu::read_nlu_file(f.text, location + f.name);
    if (!read) return read.error();
    data.merge(std::move(*read));
  }
  if (auto lookups = read_lookup_files(data, project_dir); !lookups) return lookups.error();
  warnings.insert(warnings.end(), data.warnings.begin(), data.warnings.end());
  if (data.examples.empty()) return std::string();
  auto fallback = nlu::fallback_settings(config);
  if (!fallback) return fallback.error();
  auto model = nlu::NluModel::train(data, *fallback, warnings);
  if (!model) return model.error();
  if (summary) *summary = model->summary();
  return model->to_bytes();
}

Result<BuiltModel> pack_model(const std::vector<ProjectFile>& files, const ProjectReport& report,
                              const std::string& project, const std::string& out_dir,
                              const std::string& name, std::time_t now, const std::string& project_dir) {
  if (!report.ok()) return runtime_error("the project has " + std::to_string(report.errors.size()) + " errors; nothing was built");
  std::vector<ProjectFile> sorted = files;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  BuiltModel built;
  built.fingerprint = hash_files(sorted, [](const std::string&) { return true; });
  Json fingerprint = {
      {"project", built.fingerprint},
      {"config", hash_files(sorted, [](const std::string& n) { return n == "config.yml"; })},
      {"domain", hash_files(sorted, [](const std::string& n) { return n == "domain.yml"; })},
      {"data", hash_files(sorted, [](const std::string& n) { return n.rfind("data/", 0) == 0; })},
      {"trained_at", static_cast<double>(now)},
      {"version", kRasaVersion},
      {"convo_version", CONVO_VERSION},
  };
  Json names = Json::array();
  for (const auto& f : sorted) names.push_back(f.name);
  built.metadata = {
      {"format", 1},
      {"fingerprint", built.fingerprint},
      {"built_at", utc_stamp(now, "%Y-%m-%dT%H:%M:%SZ")},
      {"convo_version", CONVO_VERSION},
      {"rasa_version", kRasaVersion},
      {"project", project},
      {"files", names},
      {"counts", {{"stories", report.stories}, {"rules", report.rules}, {"nlu_examples", report.nlu_examples}}},
  };
  std::vector<ArchiveMember> members = {{"fingerprint.json", fingerprint.dump(2) + "\n"},
                                        {"metadata.json", built.metadata.dump(2) + "\n"}};
  for (const auto& f : sorted) members.push_back({f.name, f.text});
  auto nlu = train_project_nlu(sorted, built.warnings, &built.nlu, project_dir);
  if (!nlu) return nlu.error();
  if (!nlu->empty()) members.push_back({kNluModelMember, std::move(*nlu)});
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return runtime_error(out_dir + ": cannot create the directory: " + ec.message());
  std::string file = name.empty() ? utc_stamp(now, "%Y%m%d-%H%M%S") + ".tar.gz" : name;
  built.path = (fs::path(out_dir) / file).string();
  auto written = write_tar_gz(built.path, members, now);
  if (!written) return written.error();
  return built;
}

}  // namespace convo
