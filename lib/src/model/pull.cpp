// One round of Rasa's model-server protocol with libcurl, the body streamed to a temp file in the
// target directory and renamed into place only once it is a complete, readable archive.
#include "convo/model/pull.hpp"
#include "convo/core/text.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "convo/model/archive.hpp"

namespace convo {
namespace {

namespace fs = std::filesystem;
constexpr const char* kTempPrefix = ".convo-pull-";

struct Transfer {
  FILE* out = nullptr;
  long status = 0;
  std::string etag;
  bool has_etag = false;
  std::string disposition;
  std::string error_body;
  std::uint64_t bytes = 0;
  bool write_failed = false;
  bool cancelled = false;
  const PullProgress* progress = nullptr;
  const std::atomic<bool>* cancel = nullptr;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line = strip_whitespace(std::string(data, size * count));
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect): forget the last one's headers
    t->etag.clear();
    t->has_etag = false;
    t->disposition.clear();
    auto space = line.find(' ');
    t->status = space == std::string::npos ? 0 : std::strtol(line.c_str() + space + 1, nullptr, 10);
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  const std::string name = ascii_lower(line.substr(0, colon));
  std::string value = strip_whitespace(line.substr(colon + 1));
  if (name == "etag") {
    t->etag = value;  // verbatim, quotes included (Rasa keeps the header value as is)
    t->has_etag = true;
  } else if (name == "content-disposition") {
    t->disposition = value;
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  t->bytes += n;
  if (t->status == 200 && t->out) {
    if (std::fwrite(data, 1, n, t->out) != n) {
      t->write_failed = true;
      return 0;
    }
  } else if (t->error_body.size() < 4096) {
    t->error_body.append(data, std::min(n, 4096 - t->error_body.size()));
  }
  return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel && t->cancel->load()) {
    t->cancelled = true;
    return 1;
  }
  if (t->progress && *t->progress && t->status == 200)
    (*t->progress)(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(total));
  return 0;
}

std::string random_hex32() {
  std::random_device rd;
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) out += hex[rd() & 15];
  return out;
}

// A file name safe to create in the directory: no path, no leading dot.
std::string sanitize(std::string name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '+') c = '_';
  name.erase(0, name.find_first_not_of('.'));
  return name;
}

bool archive_name(const std::string& name) {
  auto ends = [&](const std::string& s) { return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
  return ends(".tar.gz") || ends(".tgz");
}

std::string final_name(const std::string& disposition, const std::string& url) {
  auto at = disposition.find("filename=");
  if (at != std::string::npos) {
    std::string value = disposition.substr(at + 9);
    value = value.substr(0, value.find(';'));
    value = strip_whitespace(value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    value = sanitize(value);
    if (archive_name(value)) return value;
  }
  std::string path = url.substr(0, url.find_first_of("?#"));
  auto scheme = path.find("://");
  if (scheme != std::string::npos && path.find('/', scheme + 3) != std::string::npos) {
    std::string last = sanitize(path.substr(path.find_last_of('/') + 1));
    if (archive_name(last)) return last;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "model-%Y%m%d-%H%M%S.tar.gz", &tm);
  return buf;
}

// Temp files of processes that no longer run (killed mid-download) go away.
void remove_stale_temp_files(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) != 0) continue;
    long pid = std::strtol(name.c_str() + std::strlen(kTempPrefix), nullptr, 10);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

std::string read_fingerprint_file(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return strip_whitespace(line);
}

Result<bool> write_fingerprint_file(const std::string& path, const std::string& fingerprint) {
  std::string temp = path + ".part";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << fingerprint << "\n";
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return runtime_error(path + ": cannot write the fingerprint file");
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(temp.c_str());
    return runtime_error(path + ": cannot write the fingerprint file: " + why);
  }
  return true;
}

std::string first_line(const std::string& body) {
  std::string line = strip_whitespace(body.substr(0, body.find('\n')));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

}  // namespace

ModelPuller::ModelPuller(ModelServer server, std::string dir, std::string fingerprint_file)
    : server_(std::move(server)), dir_(std::move(dir)), fingerprint_file_(std::move(fingerprint_file)) {
  fingerprint_ = read_fingerprint_file(fingerprint_file_);
}

PullResult ModelPuller::pull(const PullProgress& progress, const std::atomic<bool>* cancel) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const auto started = std::chrono::steady_clock::now();
  const std::string shown = model_display_url(server_);
  PullResult result;
  result.fingerprint = fingerprint_;
  auto finish = [&](PullOutcome outcome, Error error = {}) {
    result.outcome = outcome;
    result.error = std::move(error);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  };
  auto kept = [&](const std::string& what) { return Error{ErrorKind::Upstream, "GET " + shown + ": " + what + "; current model kept"}; };

  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return finish(PullOutcome::Failed, runtime_error(dir_ + ": cannot create the directory: " + ec.message()));
  remove_stale_temp_files(dir_);
  std::string temp = (fs::path(dir_) / (kTempPrefix + std::to_string(getpid()) + "-XXXXXX.part")).string();
  int fd = mkstemps(temp.data(), 5);
  if (fd < 0) return finish(PullOutcome::Failed, runtime_error(dir_ + ": cannot create a temp file: " + std::strerror(errno)));
  fchmod(fd, 0644);  // mkstemps makes it 0600; a model file is as readable as any other
  Transfer t;
  t.out = fdopen(fd, "wb");
  std::vector<char> buffer(1 << 20);
  setvbuf(t.out, buffer.data(), _IOFBF, buffer.size());
  t.progress = &progress;
  t.cancel = cancel;
  bool temp_open = true;
  auto drop_temp = [&] {
    if (temp_open) std::fclose(t.out);
    temp_open = false;
    std::remove(temp.c_str());
  };

  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("If-None-Match: " + (fingerprint_.empty() ? random_hex32() : fingerprint_)).c_str());
  for (const auto& [k, v] : server_.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  const std::string url = model_request_url(server_);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(server_.timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  if (server_.basic_auth) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, server_.basic_auth->first.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, server_.basic_auth->second.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  result.http_status = t.status;
  result.bytes = t.bytes;

  if (t.cancelled) {
    drop_temp();
    return finish(PullOutcome::Cancelled, Error{ErrorKind::Runtime, "GET " + shown + ": interrupted; current model kept"});
  }
  if (t.write_failed || (rc == CURLE_OK && t.status == 200 && std::fflush(t.out) != 0)) {
    std::string why = std::strerror(errno);
    drop_temp();
    return finish(PullOutcome::Failed, runtime_error(dir_ + ": writing the download failed (" + why + "); current model kept"));
  }
  if (rc != CURLE_OK) {
    drop_temp();
    return finish(PullOutcome::Failed, kept(curl_easy_strerror(rc)));
  }
  if (t.status == 204 || t.status == 304) {
    drop_temp();  // never adopt an ETag from these (Rasa #3086): the fingerprint stays
    return finish(PullOutcome::Unchanged);
  }
  if (t.status == 404) {
    drop_temp();
    return finish(PullOutcome::Failed, kept("404: no model at this URL (none trained, or the tag is not assigned)"));
  }
  if (t.status != 200) {
    drop_temp();
    std::string line = first_line(t.error_body);
    return finish(PullOutcome::Failed, kept("HTTP " + std::to_string(t.status) + (line.empty() ? "" : ": " + line)));
  }
  if (!t.has_etag || t.etag.empty()) {
    drop_temp();
    return finish(PullOutcome::Discarded,
                  kept("200 without an ETag header: the model was discarded, as Rasa 2.x discards it (the model server must send an ETag)"));
  }
  if (fsync(fileno(t.out)) != 0 || std::fclose(t.out) != 0) {
    temp_open = false;
    std::string why = std::strerror(errno);
    drop_temp();
    return finish(PullOutcome::Failed, runtime_error(dir_ + ": writing the download failed (" + why + "); current model kept"));
  }
  temp_open = false;
  auto checked = read_tar_gz(temp);
  if (!checked) {
    std::string why = checked.error().message.substr(checked.error().message.find(": ") + 2);
    drop_temp();
    return finish(PullOutcome::Failed, kept("the body is " + why + "; discarded"));
  }
  if (check_) {
    auto accepted = check_(temp);
    if (!accepted) {
      Error why = accepted.error();
      drop_temp();
      return finish(PullOutcome::Failed, kept("the model was refused (" + why.message + "); discarded"));
    }
  }
  std::string target = (fs::path(dir_) / final_name(t.disposition, server_.url)).string();
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    std::string why = std::strerror(errno);
    drop_temp();
    return finish(PullOutcome::Failed, runtime_error(target + ": cannot rename the download into place (" + why + ")"));
  }
  int dir_fd = open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  fingerprint_ = t.etag;
  result.fingerprint = fingerprint_;
  result.file = target;
  if (!fingerprint_file_.empty()) {
    auto written = write_fingerprint_file(fingerprint_file_, fingerprint_);
    if (!written) return finish(PullOutcome::Failed, Error{ErrorKind::Runtime, "saved " + target + ", but " + written.error().message});
  }
  return finish(PullOutcome::Updated);
}

}  // namespace convo
