// Rasa's model-server protocol (http-api.md §8): GET the URL with If-None-Match set to the current
// fingerprint; 200 with an ETag brings a new archive, 204/304 mean unchanged, anything else keeps
// the current model. One ModelPuller does one round per pull(); `convo model pull` loops over it,
// and serve's background thread can too.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

// The `models:` section of endpoints.yml, or the `model_server` object of PUT /model.
struct ModelServer {
  std::string url;
  std::string token;                 // sent as the query parameter `token_name` when not empty
  std::string token_name = "token";
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> params;  // extra query parameters
  std::optional<std::pair<std::string, std::string>> basic_auth;  // username, password
  // wait_time_between_pulls in seconds: 0 means pull once. Rasa's default when the key is absent
  // is 100; null or 0 mean once; strings are converted first (the spec's "convert, then test").
  double interval_s = 100;
  double timeout_s = 300;            // one request, as Rasa's DEFAULT_REQUEST_TIMEOUT
};

// Reads a section. `where` prefixes errors ("endpoints.yml: models"). A missing or non-absolute
// http(s) url, a non-numeric or negative wait_time_between_pulls, and non-string header values
// are Usage errors.
Result<ModelServer> model_server_from_json(const Json& section, const std::string& where);

// The URL requested: `url` plus params and the token (escaped); and the same with the token
// shown as "***", for messages and logs.
std::string model_request_url(const ModelServer& server);
std::string model_display_url(const ModelServer& server);

enum class PullOutcome {
  Updated,    // 200 with ETag: a verified archive was renamed into the directory
  Unchanged,  // 204 or 304
  Discarded,  // 200 without ETag: Rasa 2.x ignores such a model, and so does convo
  Failed,     // 404, other statuses, transport errors, unreadable archives, local I/O errors
  Cancelled,  // the cancel flag was raised during the request
};
const char* pull_outcome_name(PullOutcome outcome);  // "updated", "unchanged", ...

struct PullResult {
  PullOutcome outcome = PullOutcome::Failed;
  long http_status = 0;       // 0 when no response arrived
  std::string fingerprint;    // the current fingerprint after this round
  std::string file;           // Updated: the archive's path in the directory
  std::uint64_t bytes = 0;    // body bytes received
  double seconds = 0;         // request time, download and check included
  Error error;                // Failed/Discarded: kind (Upstream for the server, Runtime for local
                              // I/O) and a one-line message that ends "; current model kept"
};

// One JSON object per pull: {"result", "url", "http_status", "fingerprint", "file", "bytes",
// "seconds", "error"} (file only when updated, error only when there is one).
Json pull_result_json(const PullResult& result, const std::string& display_url);

// Download progress: bytes received, total (0 when the server sent no Content-Length).
using PullProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Pulls into `dir` (created when missing). The download goes to a hidden temp file in `dir`
// (".convo-pull-<pid>-<random>.part"), is checked with read_tar_gz, fsynced and renamed to its
// final name: Content-Disposition's filename, else the URL's last segment when it ends in .tar.gz
// or .tgz, else "model-YYYYMMDD-HHMMSS.tar.gz" (UTC). The temp file is removed on every failure
// and on cancel; temp files left by dead processes are removed at the next pull.
// Not thread-safe: one pull at a time per puller (serve runs it on one thread).
class ModelPuller {
 public:
  // `fingerprint_file` ("" = keep the fingerprint in memory only) holds the ETag of the last
  // model pulled, verbatim, on one line; it is read now and rewritten (atomically) on update.
  ModelPuller(ModelServer server, std::string dir, std::string fingerprint_file = "");

  // One round. Sends If-None-Match: the current fingerprint, or a random 32-hex value before any
  // model was pulled (as Rasa); never adopts an ETag from a 204/304 (Rasa bug #3086).
  PullResult pull(const PullProgress& progress = nullptr, const std::atomic<bool>* cancel = nullptr);

  // Called with the downloaded archive (a temp path in the directory, already checked with
  // read_tar_gz) before it is renamed into place. An error discards it: Failed with that error,
  // the fingerprint not adopted, so the next pull downloads again (Rasa keeps the previous model
  // when a new one fails to load). serve passes load_model_archive here.
  using ArchiveCheck = std::function<Result<bool>(const std::string& temp_path)>;
  void set_check(ArchiveCheck check) { check_ = std::move(check); }

  const std::string& fingerprint() const { return fingerprint_; }
  const ModelServer& server() const { return server_; }
  const std::string& dir() const { return dir_; }

 private:
  ModelServer server_;
  std::string dir_;
  std::string fingerprint_file_;
  std::string fingerprint_;
  ArchiveCheck check_;
};

}  // namespace convo
