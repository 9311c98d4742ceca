// Reminder date parsing (a port of the non-fuzzy path of python-dateutil's `parser.parse`),
// uuid1 and UTC timestamp formatting.
#include "convo/core/datetime.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace convo {
namespace {
// ---- civil calendar (proleptic Gregorian, no time_t limits) ----
long long days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void civil_from_days(long long z, long long& y, long long& m, long long& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

long long days_in_month(long long y, long long m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

long long floor_div(long long a, long long b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// ---- dateutil's tokenizer and word tables ----
// dateutil raises ValueError/IndexError anywhere inside `_parse` and turns it into "Unknown string
// format"; an exception mirrors that control flow most directly.
struct Fail {};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {  // str.isalpha; non-ASCII bytes count as letters so UTF-8 stays in one token
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Port of `_timelex.get_token`: runs of letters, runs of digits (with '.'/',' inside), one token
// per whitespace char (" ") and per other char; dotted runs are re-split unless they look like a
// decimal.
std::vector<std::string> split_tokens(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i++];
    if (c == '\0') continue;
    std::string tok(1, c);
    char state;  // 'a' word, '0' number, 'A' word with dot, 'N' number with dot
    if (is_word(c)) state = 'a';
    else if (is_digit(c)) state = '0';
    else {
      out.push_back(is_space(c) ? " " : tok);
      continue;
    }
    bool seen_letters = false;
    for (; i < s.size(); ++i) {
      const char n = s[i];
      if (n == '\0') continue;
      const bool word = state == 'a' || state == 'A', dotted = state == 'A' || state == 'N';
      seen_letters = seen_letters || word;
      if (n == '.') state = word ? 'A' : 'N';
      else if (n == ',' && state == '0' && tok.size() >= 2) state = 'N';
      else if (is_word(n) && (word || (dotted && tok.back() == '.'))) state = dotted ? 'A' : 'a';
      else if (is_digit(n) && (!word || (dotted && tok.back() == '.'))) state = dotted ? 'N' : '0';
      else break;
      tok += n;
    }
    size_t dots = 0;
    for (char ch : tok) dots += ch == '.';
    const bool dotted = state == 'A' || state == 'N';
    if (dotted && (seen_letters || dots > 1 || tok.back() == '.' || tok.back() == ',')) {
      std::string part;  // re.split("([.,])") keeping separators, dropping empty pieces
      for (char ch : tok) {
        if (ch == '.' || ch == ',') {
          if (!part.empty()) out.push_back(part);
          out.emplace_back(1, ch);
          part.clear();
        } else {
          part += ch;
        }
      }
      if (!part.empty()) out.push_back(part);
      continue;
    }
    if (state == 'N' && dots == 0)
      for (char& ch : tok)
        if (ch == ',') ch = '.';
    out.push_back(tok);
  }
  return out;
}

bool in_list(const std::string& tok, std::initializer_list<const char*> words) {
  const std::string l = lower(tok);
  for (const char* w : words)
    if (l == w) return true;
  return false;
}
bool is_jump(const std::string& t) {
  return in_list(t, {" ", ".", ",", ";", "-", "/", "'", "at", "on", "and", "ad", "m", "t", "of",
                     "st", "nd", "rd", "th"});
}
int weekday_of(const std::string& t) {  // Monday = 0, -1 when not a weekday
  static const char* const kNames[7][2] = {
      {"mon", "monday"}, {"tue", "tuesday"},  {"wed", "wednesday"}, {"thu", "thursday"},
      {"fri", "friday"}, {"sat", "saturday"}, {"sun", "sunday"}};
  for (int i = 0; i < 7; ++i)
    if (in_list(t, {kNames[i][0], kNames[i][1]})) return i;
  return -1;
}
int month_of(const std::string& t) {  // 1..12, 0 when not a month
  static const char* const kNames[12][3] = {
      {"jan", "january", ""}, {"feb", "february", ""}, {"mar", "march", ""},
      {"apr", "april", ""},   {"may", "may", ""},      {"jun", "june", ""},
      {"jul", "july", ""},    {"aug", "august", ""},   {"sep", "sept", "september"},
      {"oct", "october", ""}, {"nov", "november", ""}, {"dec", "december", ""}};
  for (int i = 0; i < 12; ++i)
    if (in_list(t, {kNames[i][0], kNames[i][1], kNames[i][2]})) return i + 1;
  return 0;
}
int hms_of(const std::string& t) {  // 0 hour, 1 minute, 2 second, -1 none
  if (in_list(t, {"h", "hour", "hours"})) return 0;
  if (in_list(t, {"m", "minute", "minutes"})) return 1;
  if (in_list(t, {"s", "second", "seconds"})) return 2;
  return -1;
}
int ampm_of(const std::string& t) {
  if (in_list(t, {"am", "a"})) return 0;
  if (in_list(t, {"pm", "p"})) return 1;
  return -1;
}

// Python int() of a digit string; huge values are clamped, they fail the range checks anyway.
long long to_int(const std::string& s) {
  if (!all_digits(s)) throw Fail{};
  long long v = 0;
  for (char c : s) v = v > 100000000000LL ? v : v * 10 + (c - '0');
  return v;
}

// A numeric token as dateutil's Decimal: integer part, fraction digits and an approximate value.
struct Num {
  long long ipart = 0;
  std::string frac;
  double value = 0;
  bool has_frac() const { return frac.find_first_not_of('0') != std::string::npos; }
  long long frac60() const {  // int(60 * (value % 1)), exact on the first 15 fraction digits
    const std::string f = frac.substr(0, 15);
    long long num = 0, den = 1;
    for (char c : f) num = num * 10 + (c - '0'), den *= 10;
    return 60 * num / den;
  }
};

// float() accepts the token: digits with an optional fraction, or nan/inf (which Decimal rejects).
bool is_numeric(const std::string& t) {
  if (in_list(t, {"nan", "inf", "infinity"})) return true;
  const size_t dot = t.find('.');
  return all_digits(t.substr(0, dot)) &&
         (dot == std::string::npos ||
          t.find_first_not_of("0123456789", dot + 1) == std::string::npos);
}
Num to_decimal(const std::string& t) {
  if (!is_numeric(t) || !is_digit(t[0])) throw Fail{};
  const size_t dot = t.find('.');
  Num n;
  n.ipart = to_int(t.substr(0, dot));
  if (dot != std::string::npos) n.frac = t.substr(dot + 1);
  n.value = std::strtod(t.c_str(), nullptr);
  return n;
}

// `_parsems`: seconds with at most six fraction digits, truncated.
void parse_ms(const std::string& t, std::optional<long long>& sec, std::optional<long long>& us) {
  const size_t dot = t.find('.');
  sec = to_int(t.substr(0, dot));
  if (dot == std::string::npos) {
    us = 0;
    return;
  }
  std::string f = t.substr(dot + 1);
  f.resize(6, '0');
  us = f == "000000" ? 0 : to_int(f);
}

long long adjust_ampm(long long hour, int ampm) {
  if (hour < 12 && ampm == 1) return hour + 12;
  if (hour == 12 && ampm == 0) return 0;
  return hour;
}

bool is_utc_zone(const std::string& t) { return t == "UTC" || t == "GMT" || t == "Z" || t == "z"; }

// `convertyear`: a two-digit year without century is put within 50 years of now.
long long convert_year(long long year, long long now_year) {
  if (year >= 100) return year;
  year += now_year / 100 * 100;
  if (year >= now_year + 50) return year - 100;
  return year < now_year - 50 ? year + 100 : year;
}

// `_ymd`: the year/month/day candidates in input order and which of them are known to be the
// year or the month (dateutil's parser never labels a day).
struct Ymd {
  std::vector<long long> v;
  int y = -1, m = -1;
  bool century = false;

  void push(long long val, char label) {
    v.push_back(val);
    if (label == 0) return;
    int& slot = label == 'M' ? m : y;
    if (slot >= 0) throw Fail{};  // "Month is already set" / "Year is already set"
    slot = static_cast<int>(v.size()) - 1;
  }
  void append_str(const std::string& s, char label = 0) {  // a string of >2 digits is a year
    if (all_digits(s) && s.size() > 2) century = true, label = 'Y';
    push(to_int(s), label);
  }
  void append_num(const Num& n) {  // a number above 100 is a year
    char label = 0;
    if (n.value > 100) century = true, label = 'Y';
    push(n.ipart, label);
  }
  bool could_be_day(double value) const {
    if (m < 0) return value >= 1 && value <= 31;
    const long long year = y < 0 ? 2000 : v[y];  // without a year, allow Feb 29
    return value >= 1 && value <= static_cast<double>(days_in_month(year, v[m]));
  }
  void resolve(std::optional<long long>& year, std::optional<long long>& month,
               std::optional<long long>& day) const {
    const size_t n = v.size();
    const size_t known = (y >= 0) + (m >= 0);
    if ((n == known && known > 0) || (n == 3 && known == 2)) {
      if (y >= 0) year = v[y];
      if (m >= 0) month = v[m];
      if (n == 3) day = v[3 - y - m];  // the one left over
      return;
    }
    auto set3 = [&](std::optional<long long>& a, std::optional<long long>& b,
                    std::optional<long long>& c) { a = v[0], b = v[1], c = v[2]; };
    if (n > 3) throw Fail{};
    if (n == 1 || (m >= 0 && n == 2)) {
      long long other = v[0];
      if (m >= 0) month = v[m], other = v[m == 0 ? n - 1 : m - 1];
      if (n > 1 || m < 0) (other > 31 ? year : day) = other;
    } else if (n == 2) {
      if (v[0] > 31) year = v[0], month = v[1];
      else if (v[1] > 31) month = v[0], year = v[1];
      else month = v[0], day = v[1];
    } else if (n == 3) {
      if (m == 0) v[1] > 31 ? set3(month, year, day) : set3(month, day, year);
      else if (m == 1) v[0] > 31 ? set3(year, month, day) : set3(day, month, year);
      else if (m == 2) v[1] > 31 ? set3(day, year, month) : set3(year, day, month);
      else if (v[0] > 31 || y == 0) set3(year, month, day);
      else if (v[0] > 12) set3(day, month, year);
      else set3(month, day, year);
    }
  }
};

struct Parsed {
  std::optional<long long> year, month, day, weekday, hour, minute, second, microsecond, tzoffset;
  std::optional<std::string> tzname;
  bool empty() const {
    return !year && !month && !day && !weekday && !hour && !minute && !second && !microsecond &&
           !tzoffset && !tzname;
  }
};

// Port of `parser._parse` with fuzzy=False, dayfirst=False, yearfirst=False.
class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : l_(std::move(tokens)) {}

  Parsed run(long long now_year) {
    for (size_t i = 0; i < l_.size(); ++i) {
      const std::string tok = l_[i];  // a copy: the GMT+3 rule rewrites the next token
      int found;
      if (is_numeric(tok)) i = numeric(i);
      else if ((found = weekday_of(tok)) >= 0) r_.weekday = found;
      else if ((found = month_of(tok)) > 0) i = month_name(i, found, now_year);
      else if ((found = ampm_of(tok)) >= 0) {
        if (!r_.hour || *r_.hour < 0 || *r_.hour > 12) throw Fail{};  // am/pm needs a 12h hour
        r_.hour = adjust_ampm(*r_.hour, found);
      } else if (could_be_tzname(tok)) {
        r_.tzname = tok;
        // "GMT+3" means "my time +3 is GMT", so the sign of the following offset is inverted.
        if (i + 1 < l_.size() && (l_[i + 1] == "+" || l_[i + 1] == "-")) {
          l_[i + 1] = l_[i + 1] == "+" ? "-" : "+";
          r_.tzoffset.reset();
          if (in_list(tok, {"utc", "gmt", "z"})) r_.tzname.reset();
        }
      } else if (r_.hour && (tok == "+" || tok == "-")) {
        i = numeric_offset(i);
      } else if (!is_jump(tok)) {
        throw Fail{};
      }
    }
    ymd_.resolve(r_.year, r_.month, r_.day);
    if (r_.year && !ymd_.century) r_.year = convert_year(*r_.year, now_year);
    if ((r_.tzoffset == 0 && !r_.tzname) || r_.tzname == "Z" || r_.tzname == "z") {
      r_.tzname = "UTC", r_.tzoffset = 0;
    } else if (r_.tzoffset != 0 && r_.tzname && in_list(*r_.tzname, {"utc", "gmt", "z"})) {
      r_.tzoffset = 0;
    }
    return r_;
  }

 private:
  const std::string& at(size_t i) const {  // Python's IndexError
    if (i >= l_.size()) throw Fail{};
    return l_[i];
  }
  bool could_be_tzname(const std::string& t) const {
    if (!r_.hour || r_.tzname || r_.tzoffset || t.size() > 5) return false;
    for (char c : t)
      if (c < 'A' || c > 'Z') return is_utc_zone(t);
    return true;
  }

  size_t month_name(size_t i, int month, long long now_year) {
    ymd_.push(month, 'M');
    if (i + 1 >= l_.size()) return i;
    if (l_[i + 1] == "-" || l_[i + 1] == "/") {  // Jan-01[-99]
      const std::string sep = l_[i + 1];
      ymd_.append_str(at(i + 2));
      if (i + 3 < l_.size() && l_[i + 3] == sep) ymd_.append_str(at(i + 4)), i += 2;
      return i + 2;
    }
    if (i + 4 < l_.size() && l_[i + 1] == " " && l_[i + 3] == " " && lower(l_[i + 2]) == "of") {
      if (all_digits(l_[i + 4])) {  // "Jan of 01": clearly a year
        ymd_.append_str(std::to_string(convert_year(to_int(l_[i + 4]), now_year)), 'Y');
      }
      return i + 4;
    }
    return i;
  }

  size_t numeric_offset(size_t i) {
    const long long sign = l_[i] == "+" ? 1 : -1;
    const std::string& next = at(i + 1);
    long long hours = 0, minutes = 0;
    if (next.size() == 4) {  // -0300
      hours = to_int(next.substr(0, 2)), minutes = to_int(next.substr(2));
    } else if (i + 2 < l_.size() && l_[i + 2] == ":") {  // -03:00
      hours = to_int(next), minutes = to_int(at(i + 3));
      i += 2;
    } else if (next.size() <= 2) {  // -[0]3
      hours = to_int(next);
    } else {
      throw Fail{};
    }
    r_.tzoffset = sign * (hours * 3600 + minutes * 60);
    // "-0300 (BRST)": a zone name in parentheses
    if (i + 5 < l_.size() && is_jump(l_[i + 2]) && l_[i + 3] == "(" && l_[i + 5] == ")" &&
        l_[i + 4].size() >= 3) {
      const auto saved = r_.tzoffset;
      r_.tzoffset.reset();
      if (could_be_tzname(l_[i + 4])) r_.tzname = l_[i + 4], i += 4;
      r_.tzoffset = saved;
    }
    return i + 1;
  }

  int find_hms_idx(size_t idx) const {
    const size_t n = l_.size();
    if (idx + 1 < n && hms_of(l_[idx + 1]) >= 0) return static_cast<int>(idx + 1);  // "12h"
    if (idx + 2 < n && l_[idx + 1] == " " && hms_of(l_[idx + 2]) >= 0)              // "12 h"
      return static_cast<int>(idx + 2);
    if (idx > 0 && hms_of(l_[idx - 1]) >= 0) return static_cast<int>(idx - 1);  // "04" in "12h04"
    if (idx > 1 && idx == n - 1 && l_[idx - 1] == " " && hms_of(l_[idx - 2]) >= 0)
      return static_cast<int>(idx - 2);
    return -1;
  }

  // `_parse_min_sec`: whole minutes; the fraction gives seconds, and no fraction clears them.
  void min_sec(const Num& v) {
    r_.minute = v.ipart;
    r_.second = v.has_frac() ? std::optional<long long>(v.frac60()) : std::nullopt;
  }

  // `_parse_numeric_token`: returns the index of the last token consumed.
  size_t numeric(size_t idx) {
    const std::string& s = l_[idx];
    const Num value = to_decimal(s);
    const size_t len = s.size(), n = l_.size();
    int hms_idx;
    if (ymd_.v.size() == 3 && (len == 2 || len == 4) && !r_.hour &&
        (idx + 1 >= n || (l_[idx + 1] != ":" && hms_of(l_[idx + 1]) < 0))) {  // 19990101T23[59]
      r_.hour = to_int(s.substr(0, 2));
      if (len == 4) r_.minute = to_int(s.substr(2));
    } else if (len == 6 || (len > 6 && s.find('.') == 6)) {  // YYMMDD or HHMMSS[.ss]
      if (ymd_.v.empty() && s.find('.') == std::string::npos) {
        ymd_.append_str(s.substr(0, 2)), ymd_.append_str(s.substr(2, 2));
        ymd_.append_str(s.substr(4));
      } else {
        r_.hour = to_int(s.substr(0, 2)), r_.minute = to_int(s.substr(2, 2));
        parse_ms(s.substr(4), r_.second, r_.microsecond);
      }
    } else if (len == 8 || len == 12 || len == 14) {  // YYYYMMDD[hhmm[ss]]
      ymd_.append_str(s.substr(0, 4), 'Y');
      ymd_.append_str(s.substr(4, 2)), ymd_.append_str(s.substr(6, 2));
      if (len > 8) r_.hour = to_int(s.substr(8, 2)), r_.minute = to_int(s.substr(10, 2));
      if (len > 12) r_.second = to_int(s.substr(12));
    } else if ((hms_idx = find_hms_idx(idx)) >= 0) {  // "12h", "30 m", "12h04"
      int hms = hms_of(l_[hms_idx]);
      if (static_cast<size_t>(hms_idx) > idx) idx = hms_idx;
      else ++hms;  // a label before the number names the next smaller unit
      if (hms == 0) {
        r_.hour = value.ipart;
        if (value.has_frac()) r_.minute = value.frac60();
      } else if (hms == 1) {
        min_sec(value);
      } else if (hms == 2) {
        parse_ms(s, r_.second, r_.microsecond);
      }
    } else if (idx + 2 < n && l_[idx + 1] == ":") {  // HH:MM[:SS[.ss]]
      r_.hour = value.ipart;
      min_sec(to_decimal(l_[idx + 2]));
      if (idx + 4 < n && l_[idx + 3] == ":")
        parse_ms(l_[idx + 4], r_.second, r_.microsecond), idx += 2;
      idx += 2;
    } else if (idx + 1 < n && (l_[idx + 1] == "-" || l_[idx + 1] == "/" || l_[idx + 1] == ".")) {
      const std::string sep = l_[idx + 1];
      ymd_.append_str(s);
      if (idx + 2 < n && !is_jump(l_[idx + 2])) {
        if (all_digits(l_[idx + 2])) ymd_.append_str(l_[idx + 2]);          // 01-01[-01]
        else if (const int mo = month_of(l_[idx + 2])) ymd_.push(mo, 'M');  // 01-Jan[-01]
        else throw Fail{};
        if (idx + 3 < n && l_[idx + 3] == sep) {
          if (const int mo = month_of(at(idx + 4))) ymd_.push(mo, 'M');
          else ymd_.append_str(l_[idx + 4]);
          idx += 2;
        }
        ++idx;
      }
      ++idx;
    } else if (idx + 1 >= n || is_jump(l_[idx + 1])) {
      if (idx + 2 < n && ampm_of(l_[idx + 2]) >= 0) {  // "12 am"
        r_.hour = adjust_ampm(value.ipart, ampm_of(l_[idx + 2]));
        ++idx;
      } else {
        ymd_.append_num(value);
      }
      ++idx;
    } else if (ampm_of(l_[idx + 1]) >= 0 && value.value >= 0 && value.value < 24) {  // "12am"
      r_.hour = adjust_ampm(value.ipart, ampm_of(l_[idx + 1]));
      ++idx;
    } else if (ymd_.could_be_day(value.value)) {
      ymd_.append_num(value);
    } else {
      throw Fail{};
    }
    return idx;
  }

  std::vector<std::string> l_;
  Parsed r_;
  Ymd ymd_;
};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

Result<std::string> parse_reminder_datetime(std::string_view text, double now_epoch) {
  // dateutil's default is today at midnight; the date comes from now (UTC), kept within years
  // 1..9999 so that nonsense clocks cannot overflow the calendar arithmetic.
  const double now =
      std::isfinite(now_epoch) ? std::clamp(now_epoch, -62135596800.0, 253402300799.0) : 0.0;
  long long ny, nm, nd;
  civil_from_days(static_cast<long long>(std::floor(now / 86400.0)), ny, nm, nd);
  Parsed r;
  try {
    r = Parser(split_tokens(text)).run(ny);
  } catch (const Fail&) { return runtime_error("unknown date format: " + quoted(text)); }
  if (r.empty()) return runtime_error("no date found in " + quoted(text));

  auto invalid = [&](const char* why) {
    return runtime_error("invalid date " + quoted(text) + ": " + why);
  };
  const long long year = r.year.value_or(ny), month = r.month.value_or(nm);
  if (year < 1 || year > 9999) return invalid("year is out of range");
  if (month < 1 || month > 12) return invalid("month must be in 1..12");
  // Without a day, today's day number is clamped to the month's end (Jan 31 + "Feb" -> Feb 28).
  const long long day = r.day ? *r.day : std::min(nd, days_in_month(year, month));
  if (day < 1 || day > days_in_month(year, month)) return invalid("day is out of range for month");
  const long long hour = r.hour.value_or(0), minute = r.minute.value_or(0);
  const long long second = r.second.value_or(0), micro = r.microsecond.value_or(0);
  if (hour < 0 || hour > 23) return invalid("hour must be in 0..23");
  if (minute < 0 || minute > 59) return invalid("minute must be in 0..59");
  if (second < 0 || second > 59) return invalid("second must be in 0..59");
  if (micro < 0 || micro > 999999) return invalid("microsecond must be in 0..999999");

  long long y = year, m = month, d = day;
  if (r.weekday && !r.day) {  // relativedelta(weekday=X): that weekday, today or later
    const long long days = days_from_civil(y, m, d);
    const long long today = ((days + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday (3)
    civil_from_days(days + (7 - today + *r.weekday) % 7, y, m, d);
    if (y > 9999) return invalid("date value out of range");
  }

  char buf[96];
  int len = std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", y, m, d,
                          hour, minute, second);
  if (micro != 0) len += std::snprintf(buf + len, sizeof buf - len, ".%06lld", micro);
  // A zone name dateutil does not know (e.g. "EST") leaves the result naive.
  if (r.tzoffset) {
    const long long off = *r.tzoffset, a = off < 0 ? -off : off;
    // Python refuses offsets of a day or more when the datetime is serialised.
    if (a >= 86400) return invalid("UTC offset must be less than a day");
    std::snprintf(buf + len, sizeof buf - len, "%c%02lld:%02lld", off < 0 ? '-' : '+', a / 3600,
                  a % 3600 / 60);
  }
  return std::string(buf);
}

std::string uuid1(double now_epoch) {
  // Python keeps a per-process random node (multicast bit set when no MAC is found) and bumps the
  // timestamp when two calls land on the same 100-ns tick; a fresh clock sequence per call.
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  static const unsigned long long node = (rng() & 0xffffffffffffULL) | (1ULL << 40);
  static unsigned long long last = 0;
  // 100-ns ticks from the Gregorian reform (1582-10-15) to the Unix epoch.
  constexpr unsigned long long kGregorianOffset = 0x01b21dd213814000ULL;
  double ticks = std::isfinite(now_epoch) ? std::floor(now_epoch * 1e7) : 0.0;
  ticks = std::max(0.0, std::min(ticks, 1e17));
  std::lock_guard<std::mutex> lock(mu);
  unsigned long long ts =
      (static_cast<unsigned long long>(ticks) + kGregorianOffset) & ((1ULL << 60) - 1);
  if (last != 0 && ts <= last) ts = last + 1;
  last = ts;
  const unsigned long long clock_seq = rng() & 0x3fff;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%02llx%02llx-%012llx", ts & 0xffffffffULL,
                (ts >> 32) & 0xffff, ((ts >> 48) & 0x0fff) | 0x1000, (clock_seq >> 8) | 0x80,
                clock_seq & 0xff, node);
  return buf;
}

std::string format_epoch_utc(double epoch, bool with_millis) {
  char buf[64];
  // Years 1..9999 only, like Python's datetime; anything else is shown as the bare number.
  if (!std::isfinite(epoch) || epoch < -62135596800.0 || epoch >= 253402300800.0) {
    std::snprintf(buf, sizeof buf, "%.15g", epoch);
    if (std::strtod(buf, nullptr) != epoch)  // shortest text that reads back as the same number
      std::snprintf(buf, sizeof buf, "%.17g", epoch);
    return buf;
  }
  // Round to microseconds first (as datetime.utcfromtimestamp does), then cut to milliseconds.
  const long long total_us = std::llround(epoch * 1e6);
  const long long secs = floor_div(total_us, 1000000), us = total_us - secs * 1000000;
  const long long days = floor_div(secs, 86400), sod = secs - days * 86400;
  long long y, m, d;
  civil_from_days(days, y, m, d);
  const int len = std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", y, m,
                                d, sod / 3600, sod % 3600 / 60, sod % 60);
  if (with_millis) std::snprintf(buf + len, sizeof buf - len, ".%03lld", us / 1000);
  return buf;
}

}  // namespace convo
