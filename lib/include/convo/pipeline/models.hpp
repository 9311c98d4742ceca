// The model `serve` runs with (http-api.md §3.17, §3.18, §8): loaded from --model, pulled from a
// model server on an interval, replaced by PUT /model, dropped by DELETE /model. A swap replaces
// the conversations' domain atomically: requests in flight finish with the model they started
// with, and stored conversations are untouched.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "convo/model/archive.hpp"
#include "convo/model/pull.hpp"
#include "convo/pipeline/conversations.hpp"

namespace convo {

class ModelManager {
 public:
  // `fallback` is the domain without a model (serve --domain; may be null). `log(problem, line)`.
  ModelManager(std::shared_ptr<Conversations> conversations, std::shared_ptr<const Domain> fallback,
               std::function<void(bool, const std::string&)> log = nullptr);
  ~ModelManager();
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  // Loads an archive, or the newest archive of a directory, and makes it current. NotFound when
  // there is nothing at `path`; Runtime when the archive cannot be read.
  Result<bool> load(const std::string& path);
  // Drops the model (the fallback domain again) and stops pulling.
  void unload();

  // Pulls once now, into `dir`, then (interval > 0) every interval on a background thread until
  // stopped; replaces any earlier pulling. Each new archive is loaded before it is adopted.
  PullResult start_pulling(ModelServer server, const std::string& dir);
  void stop_pulling();

  bool loaded() const;
  // GET /status: Rasa's model_file and fingerprint, and convo's model object.
  Json model_file() const;
  Json fingerprint() const;
  Json status() const;

 private:
  void adopt(std::shared_ptr<const ModelArchive> archive);
  void handle(const PullResult& result, std::shared_ptr<const ModelArchive> checked);
  void pull_loop();

  std::shared_ptr<Conversations> conversations_;
  std::shared_ptr<const Domain> fallback_;
  std::function<void(bool, const std::string&)> log_;

  mutable std::mutex mutex_;
  std::shared_ptr<const ModelArchive> current_;
  Json last_pull_;  // pull_result_json of the last pull; null before any

  // Pulling: one thread at a time; stop_ wakes and ends it.
  std::unique_ptr<ModelPuller> puller_;
  std::thread thread_;
  std::condition_variable wake_;
  std::atomic<bool> cancel_{false};
  bool stop_ = false;
};

}  // namespace convo
