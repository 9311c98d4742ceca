// One round of Rasa's model-server protocol with libcurl, the body streamed to a temp file in the
// target directory and renamed into place only once it is a complete, readable archive.
#include "convo/model/pull.hpp"
#include "convo/core/text.hpp"

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

#include "convo/io/atomic_file.hpp"
#include "convo/model/archive.hpp"
#include "convo/net/http_client.hpp"

namespace convo {
namespace {

namespace fs = std::filesystem;
constexpr const char* kTempPrefix = ".convo-pull-";

// What one transfer learned, filled by perform()'s callbacks.
struct Transfer {
  long status = 0;
  std::string etag;
  bool has_etag = false;
  std::string disposition;
  std::string error_body;
  std::uint64_t bytes = 0;
  bool write_failed = false;
  bool cancelled = false;
};

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

std::string read_fingerprint_file(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return strip_whitespace(line);
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
  remove_stale_temp_files(dir_, kTempPrefix);
  auto file = AtomicFile::create(dir_, kTempPrefix);
  if (!file) return finish(PullOutcome::Failed, file.error());
  constexpr std::size_t kBuffer = 1 << 20;
  std::unique_ptr<char[]> buffer(new char[kBuffer]);  // not zeroed: a 304 touches none of it
  setvbuf(file->stream(), buffer.get(), _IOFBF, kBuffer);

  Transfer t;
  HttpTransfer request;
  request.url = model_request_url(server_);
  request.shown_url = shown;
  request.headers.push_back("If-None-Match: " + (fingerprint_.empty() ? random_hex32() : fingerprint_));
  for (const auto& [k, v] : server_.headers) request.headers.push_back(k + ": " + v);
  request.timeout_s = server_.timeout_s;
  request.connect_timeout_s = server_.timeout_s;
  request.follow_redirects = true;
  request.basic_auth = server_.basic_auth;
  request.on_status = [&t](long status) {  // a new response (after a redirect): forget the last one's headers
    t.status = status;
    t.etag.clear();
    t.has_etag = false;
    t.disposition.clear();
  };
  request.on_header = [&t](const std::string& name, const std::string& value) {
    if (name == "etag") {
      t.etag = value;  // verbatim, quotes included (Rasa keeps the header value as is)
      t.has_etag = true;
    } else if (name == "content-disposition") {
      t.disposition = value;
    }
  };
  request.on_body = [&t, &file](const char* data, std::size_t n) {
    t.bytes += n;
    if (t.status == 200) {
      if (!file->write(data, n)) {
        t.write_failed = true;
        return false;
      }
    } else if (t.error_body.size() < 4096) {
      t.error_body.append(data, std::min(n, 4096 - t.error_body.size()));
    }
    return true;
  };
  request.on_progress = [&t, &progress, cancel](std::uint64_t now, std::uint64_t total) {
    if (cancel && cancel->load()) {
      t.cancelled = true;
      return false;
    }
    if (progress && t.status == 200) progress(now, total);
    return true;
  };
  auto done = perform(request);
  result.http_status = t.status;
  result.bytes = t.bytes;

  if (t.cancelled)
    return finish(PullOutcome::Cancelled, Error{ErrorKind::Runtime, "GET " + shown + ": interrupted; current model kept"});
  if (t.write_failed)
    return finish(PullOutcome::Failed, runtime_error(dir_ + ": writing the download failed (" + std::strerror(errno) + "); current model kept"));
  if (!done) {
    std::string why = done.error().message.substr(std::min(done.error().message.size(), shown.size() + 2));
    return finish(PullOutcome::Failed, kept(why));
  }
  if (t.status == 204 || t.status == 304)  // never adopt an ETag from these (Rasa #3086): the fingerprint stays
    return finish(PullOutcome::Unchanged);
  if (t.status == 404)
    return finish(PullOutcome::Failed, kept("404: no model at this URL (none trained, or the tag is not assigned)"));
  if (t.status != 200) {
    std::string line = first_line(t.error_body);
    return finish(PullOutcome::Failed, kept("HTTP " + std::to_string(t.status) + (line.empty() ? "" : ": " + line)));
  }
  if (!t.has_etag || t.etag.empty())
    return finish(PullOutcome::Discarded,
                  kept("200 without an ETag header: the model was discarded, as Rasa 2.x discards it (the model server must send an ETag)"));
  if (auto err = file->close())
    return finish(PullOutcome::Failed, runtime_error(dir_ + ": writing the download failed (" + err->message + "); current model kept"));
  auto checked = read_tar_gz(file->temp_path());
  if (!checked) {
    std::string why = checked.error().message.substr(checked.error().message.find(": ") + 2);
    return finish(PullOutcome::Failed, kept("the body is " + why + "; discarded"));
  }
  if (check_) {
    auto accepted = check_(file->temp_path());
    if (!accepted) return finish(PullOutcome::Failed, kept("the model was refused (" + accepted.error().message + "); discarded"));
  }
  std::string target = (fs::path(dir_) / final_name(t.disposition, server_.url)).string();
  if (auto err = file->commit(target)) return finish(PullOutcome::Failed, *err);
  fingerprint_ = t.etag;
  result.fingerprint = fingerprint_;
  result.file = target;
  if (!fingerprint_file_.empty()) {
    if (auto err = write_file_atomically(fingerprint_file_, fingerprint_ + "\n"))
      return finish(PullOutcome::Failed,
                    Error{ErrorKind::Runtime, "saved " + target + ", but the fingerprint file: " + err->message});
  }
  return finish(PullOutcome::Updated);
}

}  // namespace convo
