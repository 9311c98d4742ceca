#include "row_collector.hpp"

#include <thread>

namespace convo {
namespace {

constexpr std::size_t kQueuedChunks = 4;  // the helper waits beyond this: memory stays bounded

}  // namespace

RowCollector::RowCollector(std::string sender_id, const LoadOptions& options) {
  conv_.sender_id = std::move(sender_id);
  if (options.decode) parser_.emplace(*options.decode);
}

void RowCollector::take(std::string_view data, std::string_view text_id, std::int64_t id) {
  bool outlined = false;
  auto event = row_event_text(data, outline_, outlined);
  if (!event) {
    const std::string row_id = text_id.empty() ? std::to_string(id) : std::string(text_id);
    conv_.warnings.push_back("row " + row_id + ": " + event.error().message + "; skipped");
    return;
  }
  if (parser_) parser_->add(*event, outlined ? &outline_ : nullptr);
  else conv_.events.items.push_back(std::move(*event));
}

void RowCollector::add_row(std::string_view data, std::string_view text_id, std::int64_t id) {
  ++rows_;
  if (!helping_) {
    take(data, text_id, id);
    return;
  }
  if (!filling_) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < kQueuedChunks; });
    if (!spare_.empty()) {
      filling_ = std::move(spare_.back());
      spare_.pop_back();
    } else {
      filling_ = std::make_unique<Chunk>();
    }
  }
  filling_->bytes.append(data);
  filling_->ends.push_back(filling_->bytes.size());
  if (text_id.empty()) filling_->numbers.push_back(id);
  else filling_->ids.emplace_back(text_id);
  if (filling_->ends.size() == kChunkRows) hand_over();
}

void RowCollector::hand_over() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(filling_));
  }
  changed_.notify_all();
}

void RowCollector::read(const std::function<bool()>& next) {
  while (rows_ < kInlineRows)
    if (!next()) return;
  helping_ = true;
  std::thread helper([&] {
    try {
      while (next()) {
      }
      if (filling_ && !filling_->ends.empty()) hand_over();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      failed_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    changed_.notify_all();
  });
  std::exception_ptr own_failure;
  for (;;) {
    std::unique_ptr<Chunk> chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || done_; });
      if (queue_.empty()) break;  // done, and everything taken
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    // After a failure here the helper still reads to the end (its chunks are dropped): it
    // must be joined before the exception leaves.
    if (!own_failure) try {
        std::size_t begin = 0;
        for (std::size_t i = 0; i < chunk->ends.size(); ++i) {
          const std::string_view data(chunk->bytes.data() + begin, chunk->ends[i] - begin);
          begin = chunk->ends[i];
          if (chunk->ids.empty()) take(data, {}, chunk->numbers[i]);
          else take(data, chunk->ids[i], 0);
        }
      } catch (...) {
        own_failure = std::current_exception();
      }
    chunk->clear();
    std::lock_guard<std::mutex> lock(mu_);
    spare_.push_back(std::move(chunk));
  }
  helper.join();
  helping_ = false;
  if (own_failure) std::rethrow_exception(own_failure);
  if (failed_) std::rethrow_exception(failed_);
}

StoredConversation RowCollector::finish() {
  if (parser_) conv_.decoded = parser_->finish();
  return std::move(conv_);
}

}  // namespace convo
