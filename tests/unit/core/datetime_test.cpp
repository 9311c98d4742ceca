// Expected strings follow python-dateutil's parser.parse() + datetime.isoformat() semantics.
#include "convo/core/datetime.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <string>

using convo::format_epoch_utc;
using convo::parse_reminder_datetime;
using convo::uuid1;

namespace {

constexpr double kNow = 1600000000.0;    // 2020-09-13 12:26:40 UTC, a Sunday
constexpr double kJan31 = 1612051200.0;  // 2021-01-31 00:00:00 UTC, a Sunday

std::string parsed(const std::string& text, double now = kNow) {
  auto r = parse_reminder_datetime(text, now);
  if (!r) return "ERROR: " + r.error().message;
  return *r;
}

bool rejected(const std::string& text) { return !parse_reminder_datetime(text, kNow).ok(); }

}  // namespace

TEST_CASE("reminder dates from the oracle fixtures", "[datetime]") {
  CHECK(parsed("2021-01-01 12:00") == "2021-01-01T12:00:00");
  CHECK(parsed("2021-01-01T12:00:00.123456Z") == "2021-01-01T12:00:00.123456+00:00");
  CHECK(parsed("Jan 2 2022 5pm") == "2022-01-02T17:00:00");
  CHECK(parsed("2021-01-01T00:00:00-05:30") == "2021-01-01T00:00:00-05:30");
  CHECK(parsed("2021-06-01T10:00:00+02:00") == "2021-06-01T10:00:00+02:00");
  CHECK(parsed("2021-01-01") == "2021-01-01T00:00:00");
}

TEST_CASE("ISO-8601 reminder dates", "[datetime]") {
  CHECK(parsed("2020-09-13T12:30:00+00:00") == "2020-09-13T12:30:00+00:00");
  CHECK(parsed("2020-09-13T12:30:00Z") == "2020-09-13T12:30:00+00:00");
  CHECK(parsed("2020-09-13T12:30:00z") == "2020-09-13T12:30:00+00:00");
  CHECK(parsed("2020-09-13 12:30:00") == "2020-09-13T12:30:00");
  CHECK(parsed("2020-09-13 12:30") == "2020-09-13T12:30:00");
  CHECK(parsed("2020-09-13") == "2020-09-13T00:00:00");
  CHECK(parsed("20200913T123000") == "2020-09-13T12:30:00");
  CHECK(parsed("20200913") == "2020-09-13T00:00:00");
  CHECK(parsed("2020/09/13 12:30") == "2020-09-13T12:30:00");
  CHECK(parsed("2020-02-29") == "2020-02-29T00:00:00");

  SECTION("fractional seconds: six digits, only when non-zero, extra digits truncated") {
    CHECK(parsed("2020-09-13T12:30:00.5") == "2020-09-13T12:30:00.500000");
    CHECK(parsed("2020-09-13T12:30:00.123456Z") == "2020-09-13T12:30:00.123456+00:00");
    CHECK(parsed("2020-09-13T12:30:00.1234567") == "2020-09-13T12:30:00.123456");
    CHECK(parsed("2020-09-13T12:30:00.000") == "2020-09-13T12:30:00");
  }
  SECTION("UTC offsets in every spelling become +HH:MM") {
    CHECK(parsed("2020-09-13T12:30:00+0530") == "2020-09-13T12:30:00+05:30");
    CHECK(parsed("2020-09-13T12:30:00+05:30") == "2020-09-13T12:30:00+05:30");
    CHECK(parsed("2020-09-13T12:30:00-08:00") == "2020-09-13T12:30:00-08:00");
    CHECK(parsed("2020-09-13T12:30:00+05") == "2020-09-13T12:30:00+05:00");
    CHECK(parsed("2020-09-13T12:30:00+0000") == "2020-09-13T12:30:00+00:00");
    CHECK(parsed("2020-09-13T12:30:00-00:00") == "2020-09-13T12:30:00+00:00");
    CHECK(parsed("2020-09-13T12:30:00+23:59") == "2020-09-13T12:30:00+23:59");
  }
  SECTION("numeric dates: month first unless the first number cannot be a month") {
    CHECK(parsed("09/13/2020") == "2020-09-13T00:00:00");
    CHECK(parsed("13/09/2020") == "2020-09-13T00:00:00");
    CHECK(parsed("13.09.2020") == "2020-09-13T00:00:00");
  }
}

TEST_CASE("free-text reminder dates", "[datetime]") {
  CHECK(parsed("2 January 2022 17:00") == "2022-01-02T17:00:00");
  CHECK(parsed("September 13, 2020 12:30") == "2020-09-13T12:30:00");
  CHECK(parsed("SEPT 13 2020") == "2020-09-13T00:00:00");
  CHECK(parsed("sep 13 2020 5 PM") == "2020-09-13T17:00:00");
  CHECK(parsed("July 4, 1976 12:01:02 am") == "1976-07-04T00:01:02");
  CHECK(parsed("3rd of May 2001") == "2001-05-03T00:00:00");
  CHECK(parsed("Sun, 13 Sep 2020 12:30:00 +0000") == "2020-09-13T12:30:00+00:00");

  SECTION("am/pm") {
    CHECK(parsed("5pm") == "2020-09-13T17:00:00");
    CHECK(parsed("12:30 pm") == "2020-09-13T12:30:00");
    CHECK(parsed("12:30 am") == "2020-09-13T00:30:00");
    CHECK(parsed("12 am") == "2020-09-13T00:00:00");
  }
  SECTION("zone names: UTC/GMT are +00:00, unknown names leave the time naive") {
    CHECK(parsed("2020-09-13 12:30:00 UTC") == "2020-09-13T12:30:00+00:00");
    CHECK(parsed("2020-09-13 12:30:00 GMT") == "2020-09-13T12:30:00+00:00");
    CHECK(parsed("2020-09-13 12:30:00 EST") == "2020-09-13T12:30:00");
    // POSIX style: "GMT+3" is three hours *behind* GMT.
    CHECK(parsed("12:30 GMT+3") == "2020-09-13T12:30:00-03:00");
  }
  SECTION("weekday names: ignored when a day is given, otherwise the next such day") {
    CHECK(parsed("Tue, 13 Sep 2020") == "2020-09-13T00:00:00");
    CHECK(parsed("Monday 9am") == "2020-09-14T09:00:00");
    CHECK(parsed("sunday") == "2020-09-13T00:00:00");
  }
}

TEST_CASE("missing date parts come from now (UTC), missing time parts are zero", "[datetime]") {
  CHECK(parsed("12:30") == "2020-09-13T12:30:00");
  CHECK(parsed("Dec 25") == "2020-12-25T00:00:00");
  CHECK(parsed("25") == "2020-09-25T00:00:00");
  CHECK(parsed("Feb 2021") == "2021-02-13T00:00:00");
  CHECK(parsed("Mar 5 22") == "2022-03-05T00:00:00");  // two-digit year near the current one
  // Today's day number is clamped to the end of a shorter month.
  CHECK(parsed("Feb 2021", kJan31) == "2021-02-28T00:00:00");
  CHECK(parsed("10:00", kJan31) == "2021-01-31T10:00:00");
}

TEST_CASE("unparsable or invalid reminder dates are errors", "[datetime]") {
  const auto r = parse_reminder_datetime("not a date", kNow);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "unknown date format: \"not a date\"");
  CHECK(r.error().kind == convo::ErrorKind::Runtime);

  CHECK(rejected(""));
  CHECK(rejected(" "));
  CHECK(rejected("The 3rd of May 2001"));  // "The" is not a word dateutil skips
  CHECK(rejected("pm"));                   // am/pm without an hour
  CHECK(rejected("12:00 utc"));            // zone names are matched case-sensitively
  CHECK(rejected("nan"));
  CHECK(rejected("2020-13-01"));
  CHECK(rejected("Feb 30 2021"));
  CHECK(rejected("2021-02-29"));
  CHECK(rejected("2020-09-13 25:00"));
  CHECK(rejected("2020-09-13T12:30:00+24:00"));  // Python refuses offsets of a day or more
  CHECK(parsed("2020-13-01").find("2020-13-01") != std::string::npos);  // message names the input
}

TEST_CASE("uuid1 produces RFC 4122 version-1 UUIDs", "[uuid]") {
  static const std::regex kShape(
      "^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const std::string u = uuid1(2e9);
  REQUIRE(std::regex_match(u, kShape));

  // The node is random with the multicast bit (lowest bit of the first octet) set.
  CHECK((std::stoul(u.substr(24, 2), nullptr, 16) & 1) == 1);

  // time_low-time_mid-time_hi: 100-ns ticks since 1582-10-15; 2e9 s -> 142192928000000000.
  const unsigned long long ts = (std::stoull(u.substr(15, 3), nullptr, 16) << 48) |
                                (std::stoull(u.substr(9, 4), nullptr, 16) << 32) |
                                std::stoull(u.substr(0, 8), nullptr, 16);
  CHECK(ts >= 142192928000000000ULL);
  CHECK(ts < 142192928000000000ULL + 10000);

  SECTION("1000 calls at the same instant are all distinct and well formed") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      const std::string v = uuid1(kNow);
      CHECK(std::regex_match(v, kShape));
      CHECK(v.substr(24) == u.substr(24));  // one node per process, as in Python
      seen.insert(v);
    }
    CHECK(seen.size() == 1000);
  }
}

TEST_CASE("format_epoch_utc", "[datetime]") {
  CHECK(format_epoch_utc(1600000000.0) == "2020-09-13 12:26:40.000");
  CHECK(format_epoch_utc(1600000000.123) == "2020-09-13 12:26:40.123");
  CHECK(format_epoch_utc(1600000000.9999) == "2020-09-13 12:26:40.999");  // cut, not rounded
  CHECK(format_epoch_utc(1600000000.5, false) == "2020-09-13 12:26:40");
  CHECK(format_epoch_utc(0.0) == "1970-01-01 00:00:00.000");
  CHECK(format_epoch_utc(-1.5) == "1969-12-31 23:59:58.500");
  CHECK(format_epoch_utc(951782400.0) == "2000-02-29 00:00:00.000");

  SECTION("values outside datetime's range are printed as numbers") {
    CHECK(format_epoch_utc(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(format_epoch_utc(-std::numeric_limits<double>::infinity()) == "-inf");
    CHECK(format_epoch_utc(1e300) == "1e+300");
    CHECK(format_epoch_utc(std::numeric_limits<double>::quiet_NaN()).find("nan") !=
          std::string::npos);
  }
}
