#include "convo/pipeline/models.hpp"

#include <chrono>

#include "convo/dialogue/processor.hpp"

namespace convo {

ModelManager::ModelManager(std::shared_ptr<Conversations> conversations, std::shared_ptr<const Domain> fallback,
                           std::function<void(bool, const std::string&)> log)
    : conversations_(std::move(conversations)), fallback_(std::move(fallback)), log_(std::move(log)) {}

ModelManager::~ModelManager() { stop_pulling(); }

void ModelManager::adopt(std::shared_ptr<const ModelArchive> archive) {
  std::shared_ptr<const Domain> domain = archive && archive->domain ? archive->domain : fallback_;
  std::shared_ptr<const dialogue::Bot> bot = archive ? archive->bot : nullptr;
  std::shared_ptr<const nlu::NluModel> nlu = archive ? archive->nlu : nullptr;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    current_ = std::move(archive);
  }
  if (bot && log_)
    for (const auto& w : bot->warnings) log_(true, w);
  conversations_->set_domain(std::move(domain));
  conversations_->set_bot(std::move(bot));
  conversations_->set_nlu(std::move(nlu));
}

Result<bool> ModelManager::load(const std::string& path) {
  auto resolved = resolve_model_path(path);
  if (!resolved) return resolved.error();
  auto archive = load_model_archive(*resolved);
  if (!archive) return archive.error();
  adopt(std::make_shared<const ModelArchive>(std::move(*archive)));
  if (log_) log_(false, "model " + *resolved + " loaded");
  return true;
}

void ModelManager::unload() {
  stop_pulling();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    puller_.reset();
  }
  adopt(nullptr);
  if (log_) log_(false, "model unloaded");
}

void ModelManager::handle(const PullResult& result, std::shared_ptr<const ModelArchive> checked) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    last_pull_ = pull_result_json(result, model_display_url(puller_->server()));
  }
  if (result.outcome == PullOutcome::Updated && checked) {
    auto moved = std::make_shared<ModelArchive>(*checked);
    moved->path = result.file;  // the check saw it under its temporary name
    adopt(std::move(moved));
    if (log_) log_(false, "model " + result.file + " pulled and loaded");
  } else if (result.outcome == PullOutcome::Failed || result.outcome == PullOutcome::Discarded) {
    if (log_) log_(true, "model pull: " + result.error.message);
  }
}

PullResult ModelManager::start_pulling(ModelServer server, const std::string& dir) {
  stop_pulling();
  const double interval = server.interval_s;
  puller_ = std::make_unique<ModelPuller>(std::move(server), dir, dir + "/.fingerprint");
  // Each download is loaded before it is renamed into place: a model that fails to load is
  // discarded and its ETag not adopted, so the next pull tries again (as Rasa).
  auto checked = std::make_shared<std::shared_ptr<const ModelArchive>>();
  puller_->set_check([checked](const std::string& temp) -> Result<bool> {
    auto archive = load_model_archive(temp);
    if (!archive) return archive.error();
    *checked = std::make_shared<const ModelArchive>(std::move(*archive));
    return true;
  });
  PullResult first = puller_->pull(nullptr, &cancel_);
  handle(first, *checked);
  if (interval > 0) {
    stop_ = false;
    cancel_ = false;
    thread_ = std::thread([this, checked, interval] {
      std::unique_lock<std::mutex> lock(mutex_);
      for (;;) {
        wake_.wait_for(lock, std::chrono::duration<double>(interval), [&] { return stop_; });
        if (stop_) return;
        lock.unlock();
        checked->reset();
        PullResult result = puller_->pull(nullptr, &cancel_);
        handle(result, *checked);
        lock.lock();
      }
    });
  }
  return first;
}

void ModelManager::stop_pulling() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stop_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  cancel_ = false;
}

bool ModelManager::loaded() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return current_ != nullptr;
}

Json ModelManager::model_file() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return current_ ? Json(current_->path) : Json();
}

Json ModelManager::fingerprint() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return current_ ? current_->fingerprint : Json::object();
}

Json ModelManager::status() const {
  std::lock_guard<std::mutex> guard(mutex_);
  Json out = {{"loaded", current_ != nullptr}};
  if (current_) {
    out["file"] = current_->path;
    out["id"] = current_->id();
  }
  if (puller_) {
    out["pulling"] = {{"url", model_display_url(puller_->server())},
                      {"interval", puller_->server().interval_s},
                      {"running", thread_.joinable() && !stop_},
                      {"last", last_pull_}};
  }
  return out;
}

}  // namespace convo
