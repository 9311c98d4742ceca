// Date and time helpers for reminder events and human output.
#pragma once

#include <string>
#include <string_view>

#include "convo/core/error.hpp"

namespace convo {

// Parses a reminder's `date_time` the way dateutil's parser does for the forms seen in practice
// (ISO-8601 with or without offset, date only, free text such as "Jan 2 2022 5pm") and returns
// Python's `datetime.isoformat()` of the result: `T` separator, seconds always, microseconds only
// when non-zero, offset as +HH:MM ("Z" becomes +00:00), naive stays naive. Date parts missing from
// the input come from `now_epoch` (UTC). Unparsable text gives an error naming the input.
Result<std::string> parse_reminder_datetime(std::string_view text, double now_epoch);

// A fresh RFC 4122 version-1 UUID string for the given time (Rasa's uuid.uuid1()).
std::string uuid1(double now_epoch);

// Epoch seconds rendered as "2020-09-13 12:26:40.123" in UTC, for human output.
std::string format_epoch_utc(double epoch, bool with_millis = true);

}  // namespace convo
