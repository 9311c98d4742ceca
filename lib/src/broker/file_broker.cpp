// Rasa's file broker (§7): one JSON body per line, appended. convo writes each batch with one
// O_APPEND write, so lines of concurrent writers never interleave mid-line.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "broker_internal.hpp"

namespace convo::broker_internal {
namespace {

class FileBroker final : public EventBroker {
 public:
  explicit FileBroker(std::string path) : path_(std::move(path)) {}
  ~FileBroker() override { close(); }

  std::string describe() const override { return "file:" + path_; }

  std::optional<Error> connect() override {
    if (fd_ >= 0) return std::nullopt;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Error{ErrorKind::Upstream, path_ + ": cannot open: " + std::strerror(errno)};
    return std::nullopt;
  }

  PublishResult publish(const std::vector<BrokerMessage>& batch) override {
    PublishResult result;
    if (auto err = connect()) {
      result.error = err;
      return result;
    }
    std::string lines;
    for (const auto& m : batch) lines.append(m.body).push_back('\n');
    std::size_t done = 0;
    while (done < lines.size()) {
      ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        result.error = Error{ErrorKind::Upstream, path_ + ": write failed: " + std::strerror(errno)};
        close();
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    // Whole lines written count as published.
    if (!result.error) result.confirmed = batch.size();
    else
      for (std::size_t i = 0, at = 0; i < batch.size() && (at += batch[i].body.size() + 1) <= done; ++i)
        result.confirmed = i + 1;
    return result;
  }

  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

Result<std::unique_ptr<EventBroker>> make_file_broker(const Json& section, const BrokerOptions& options,
                                                      std::vector<std::string>& warnings) {
  warn_unknown_keys(section, {"path"}, options, warnings);
  std::string path = text_value(section, "path").value_or("rasa_event.log");
  auto broker = std::make_unique<FileBroker>(path);
  // Rasa opens the file at startup: an unwritable path is a startup error there too.
  if (auto err = broker->connect()) return usage_error(options.source + ": event_broker: " + err->message);
  return std::unique_ptr<EventBroker>(std::move(broker));
}

}  // namespace convo::broker_internal
