// Reminders as Rasa 2.8's processor handles them (docs/dialogue-notes.md §11): a `reminder` event
// an action returns is scheduled at its date_time (a later one of the same name and conversation
// replaces it); `cancel_reminder` removes the matching ones; when one is due, its intent is
// triggered as an external message (`EXTERNAL: <intent>`) and the bot's turn runs — unless the
// user wrote after it was set and it was scheduled with kill_on_user_msg, or it is no longer in
// the conversation's applied events. Like Rasa's in-memory scheduler, nothing survives a restart.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "convo/core/json.hpp"

namespace convo {

class ReminderScheduler {
 public:
  // Where a fired reminder's bot messages go (the channel the reminder was set on); may be null.
  using Push = std::function<void(const Json& message)>;
  // `fire(sender_id, reminder event data, push)` runs on the scheduler's thread when one is due.
  using Fire = std::function<void(const std::string&, const Json&, const Push&)>;
  explicit ReminderScheduler(Fire fire);
  ~ReminderScheduler();
  ReminderScheduler(const ReminderScheduler&) = delete;
  ReminderScheduler& operator=(const ReminderScheduler&) = delete;

  // A reminder event of a conversation; its date_time (ISO 8601; naive means local time) decides
  // when. Returns false when the date cannot be read.
  bool schedule(const std::string& sender_id, const Json& reminder, Push push = nullptr);
  // A cancel_reminder event: by name, else by intent and entities (events spec §3.8).
  void cancel(const std::string& sender_id, const Json& cancel);
  std::size_t pending() const;

  // Seconds since the epoch for an ISO 8601 date_time as parse_reminder_datetime writes it.
  static std::optional<double> epoch_of(const std::string& iso);

 private:
  struct Job {
    std::string sender_id;
    Json reminder;
    double due;
    Push push;
  };
  void run();

  Fire fire_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Job> jobs_;  // key: sender + "\n" + name (Rasa's job id is the name)
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace convo
