// The NDJSON ingest sink (events as broker bodies on a stream) and the dead-letter file both
// sinks share.
#include <cerrno>
#include <cstring>

#include "convo/core/json.hpp"
#include "dead_letter.hpp"

namespace convo {

std::string dead_letter_line(const InboundMessage& message, const std::string& reason, double received_at) {
  bool kafka = message.partition >= 0 && message.offset >= 0;
  Json line = Json::object();
  line["received_at"] = received_at;
  line["source"] = message.source;
  line["topic"] = message.topic.empty() ? Json() : Json(message.topic);
  line["partition"] = kafka ? Json(message.partition) : Json();
  line["offset"] = kafka ? Json(message.offset) : Json();
  line["reason"] = reason;
  line["body"] = message.body;  // dumped leniently: bytes that are not UTF-8 become U+FFFD
  return dump_python(line);
}

std::string message_origin(const InboundMessage& message) {
  if (message.partition < 0 || message.offset < 0) return message.source;
  return message.source + " " + std::to_string(message.partition) + "/" + std::to_string(message.offset);
}

Result<std::unique_ptr<DeadLetterFile>> DeadLetterFile::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (!f) return runtime_error(path + ": cannot open the dead-letter file: " + std::strerror(errno));
  return std::unique_ptr<DeadLetterFile>(new DeadLetterFile(f, path));
}

DeadLetterFile::~DeadLetterFile() { std::fclose(file_); }

std::optional<Error> DeadLetterFile::append(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
  }
  if (std::fflush(file_) != 0 || std::ferror(file_)) {
    std::clearerr(file_);
    return runtime_error(path_ + ": cannot write the dead-letter file: " + std::strerror(errno));
  }
  return std::nullopt;
}

namespace {

class NdjsonSink final : public IngestSink {
 public:
  NdjsonSink(std::FILE* out, std::unique_ptr<DeadLetterFile> dead_letters, std::function<void(const std::string&)> warn)
      : out_(out), dead_letters_(std::move(dead_letters)), warn_(std::move(warn)), ctx_(system_parse_context()) {}

  std::string describe() const override { return "NDJSON output"; }

  Result<IngestCounts> write(const std::vector<InboundMessage>& batch) override {
    IngestCounts counts;
    std::string text;
    std::vector<std::string> dead;
    for (const auto& message : batch) {
      ClassifiedMessage c = classify_message(message.body, decoder_);
      if (c.ok) {
        if (c.body_is_live) text += message.body;  // what broker_body would write again
        else text += c.python_event.empty() ? broker_body(c.sender_id, *c.event, BodyOrder::Live)
                                            : broker_body(c.sender_id, std::move(c.python_event), BodyOrder::Live);
        text += '\n';
        ++counts.stored;
        continue;
      }
      ++counts.malformed;
      if (dead_letters_)
        dead.push_back(dead_letter_line(message, c.reason, wall_clock_now()));
      else if (warn_)
        warn_("malformed message (" + message_origin(message) + "): " + c.reason);
    }
    std::fwrite(text.data(), 1, text.size(), out_);
    if (std::fflush(out_) != 0 || std::ferror(out_)) return runtime_error(std::string("cannot write the output: ") + std::strerror(errno));
    if (dead_letters_ && !dead.empty())
      if (auto err = dead_letters_->append(dead)) return *err;
    return counts;
  }

  Result<std::optional<std::int64_t>> stored_offset(const std::string&, std::int32_t) override {
    return std::optional<std::int64_t>();
  }

 private:
  std::FILE* out_;
  std::unique_ptr<DeadLetterFile> dead_letters_;
  std::function<void(const std::string&)> warn_;
  ParseContext ctx_;
  EventDecoder decoder_{ctx_};  // after ctx_, which it refers to
};

}  // namespace

std::unique_ptr<IngestSink> make_ndjson_sink(std::FILE* out, const IngestOptions& options) {
  std::unique_ptr<DeadLetterFile> dead_letters;
  if (!options.dead_letter_file.empty()) {
    auto opened = DeadLetterFile::open(options.dead_letter_file);
    // The factory cannot fail; an unusable dead-letter file then falls back to warnings.
    if (opened) dead_letters = std::move(*opened);
    else if (options.warn) options.warn(opened.error().message + "; malformed messages are reported here instead");
  }
  return std::make_unique<NdjsonSink>(out, std::move(dead_letters), options.warn);
}

}  // namespace convo
