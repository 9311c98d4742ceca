// Dead letters shared by the ingest sinks: the NDJSON line for a malformed message and the file
// such lines are appended to (defined in ndjson_sink.cpp).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "convo/core/error.hpp"
#include "convo/store/ingest.hpp"

namespace convo {

// {"received_at", "source", "topic", "partition", "offset", "reason", "body"} on one line (no
// newline); coordinates a message does not have (AMQP: topic, partition, offset) are null.
std::string dead_letter_line(const InboundMessage& message, const std::string& reason, double received_at);

// "<source>" or "<source> <partition>/<offset>", for messages.
std::string message_origin(const InboundMessage& message);

// A file malformed messages are appended to, one dead_letter_line each; opened (created) up
// front so a bad path fails before anything is consumed.
class DeadLetterFile {
 public:
  static Result<std::unique_ptr<DeadLetterFile>> open(const std::string& path);
  ~DeadLetterFile();
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;
  // Appends the lines and flushes them.
  std::optional<Error> append(const std::vector<std::string>& lines);

 private:
  DeadLetterFile(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
};

}  // namespace convo
