#include "row_collector.hpp"

#include <exception>
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
  if (!handoff_) {
    take(data, text_id, id);
    return;
  }
  if (!filling_) {
    filling_ = handoff_->empty_chunk();
    if (!filling_) return;  // the caller's side failed: read() reports that
    filling_->clear();
  }
  filling_->bytes.append(data);
  filling_->ends.push_back(filling_->bytes.size());
  if (text_id.empty()) filling_->numbers.push_back(id);
  else filling_->ids.emplace_back(text_id);
  if (filling_->ends.size() == kChunkRows) handoff_->push(std::move(filling_));
}

void RowCollector::read(const std::function<bool()>& next) {
  while (rows_ < kInlineRows)
    if (!next()) return;
  sys::Handoff<Chunk> handoff(kQueuedChunks);
  handoff_ = &handoff;
  std::exception_ptr helper_failure, own_failure;
  std::thread helper([&] {
    try {
      while (next()) {
      }
      if (filling_ && !filling_->ends.empty()) handoff.push(std::move(filling_));
    } catch (...) {
      helper_failure = std::current_exception();
    }
    handoff.close();
  });
  while (auto chunk = handoff.pop()) {
    try {
      std::size_t begin = 0;
      for (std::size_t i = 0; i < chunk->ends.size(); ++i) {
        const std::string_view data(chunk->bytes.data() + begin, chunk->ends[i] - begin);
        begin = chunk->ends[i];
        if (chunk->ids.empty()) take(data, {}, chunk->numbers[i]);
        else take(data, chunk->ids[i], 0);
      }
    } catch (...) {
      // The helper stops at its next chunk; it must be joined before the exception leaves.
      own_failure = std::current_exception();
      handoff.abandon();
    }
    if (own_failure) break;
    handoff.recycle(std::move(chunk));
  }
  helper.join();
  handoff_ = nullptr;
  filling_.reset();
  if (own_failure) std::rethrow_exception(own_failure);
  if (helper_failure) std::rethrow_exception(helper_failure);
}

StoredConversation RowCollector::finish() {
  if (parser_) conv_.decoded = parser_->finish();
  return std::move(conv_);
}

}  // namespace convo
