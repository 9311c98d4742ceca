#include "convo/pipeline/reminders.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "convo/core/datetime.hpp"
#include "convo/core/event.hpp"

namespace convo {

ReminderScheduler::ReminderScheduler(Fire fire)
    : fire_(std::move(fire)), thread_([this] { run(); }) {}

ReminderScheduler::~ReminderScheduler() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<double> ReminderScheduler::epoch_of(const std::string& iso) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) < 3) return std::nullopt;
  double frac = 0;
  std::size_t pos = 19;
  if (iso.size() > pos && iso[pos] == '.') {
    std::size_t end = iso.find_first_not_of("0123456789", pos + 1);
    frac = std::stod("0" + iso.substr(pos, end - pos));
    pos = end == std::string::npos ? iso.size() : end;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  if (pos < iso.size() && (iso[pos] == '+' || iso[pos] == '-')) {
    int oh = 0, om = 0;
    std::sscanf(iso.c_str() + pos + 1, "%2d:%2d", &oh, &om);
    const double offset = (oh * 3600 + om * 60) * (iso[pos] == '-' ? -1 : 1);
    return static_cast<double>(timegm(&tm)) - offset + frac;
  }
  tm.tm_isdst = -1;  // naive: the server's local time, as APScheduler takes it
  return static_cast<double>(std::mktime(&tm)) + frac;
}

bool ReminderScheduler::schedule(const std::string& sender_id, const Json& reminder, Push push) {
  const Json when = reminder.value("date_time", Json());
  if (!when.is_string()) return false;
  auto normalized = parse_reminder_datetime(when.get<std::string>(), wall_clock_now());
  if (!normalized) return false;
  auto due = epoch_of(*normalized);
  if (!due) return false;
  const std::string name = reminder.value("name", Json()).is_string() ? reminder["name"].get<std::string>() : "";
  {
    std::lock_guard<std::mutex> guard(mutex_);
    jobs_[sender_id + "\n" + name] = Job{sender_id, reminder, *due, std::move(push)};
  }
  wake_.notify_all();
  return true;
}

void ReminderScheduler::cancel(const std::string& sender_id, const Json& cancel) {
  const Json name = cancel.value("name", Json());
  const Json intent = cancel.value("intent", Json());
  const Json entities = cancel.value("entities", Json());
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const Job& job = it->second;
    // Every criterion given must match; none given cancels all of the conversation's reminders.
    bool match = job.sender_id == sender_id;
    if (match && !name.is_null()) match = job.reminder.value("name", Json()) == name;
    if (match && !intent.is_null()) match = job.reminder.value("intent", Json()) == intent;
    if (match && !entities.is_null()) match = job.reminder.value("entities", Json()) == entities;
    it = match ? jobs_.erase(it) : std::next(it);
  }
}

std::size_t ReminderScheduler::pending() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return jobs_.size();
}

void ReminderScheduler::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    auto next = jobs_.end();
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
      if (next == jobs_.end() || it->second.due < next->second.due) next = it;
    if (next == jobs_.end()) {
      wake_.wait(lock);
      continue;
    }
    const double wait_s = next->second.due - wall_clock_now();
    if (wait_s > 0) {
      wake_.wait_for(lock, std::chrono::duration<double>(std::min(wait_s, 3600.0)));
      continue;
    }
    Job job = std::move(next->second);
    jobs_.erase(next);
    lock.unlock();
    fire_(job.sender_id, job.reminder, job.push);
    lock.lock();
  }
}

}  // namespace convo
