// SPDX-License-Identifier: MIT
// systemd calendar expressions (OnCalendar=, systemd.time(7)): parsed,
// normalized and evaluated exactly as systemd 252 does, so that a schedule the
// runner computes slots from is the schedule systemd's timer fires on.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <tl/expected.hpp>

namespace pt {

// One element of a list: a value, a range "start..stop", a repetition
// "start/repeat" or both "start..stop/repeat" (systemd's CalendarComponent).
struct CalendarComponent
{
  int start = 0;
  int stop = -1;  // the range's last value; -1 for none
  int repeat = 0; // the step; 0 for none

  friend bool operator==(const CalendarComponent&, const CalendarComponent&) = default;
  // Orders as systemd sorts a list: by start, then stop, then step.
  friend bool operator<(const CalendarComponent& a, const CalendarComponent& b)
  {
    return std::tie(a.start, a.stop, a.repeat) < std::tie(b.start, b.stop, b.repeat);
  }
};

// A comma-separated list of components, sorted and without duplicates; empty
// for "*" (any value) in every field but the seconds.
using CalendarChain = std::vector<CalendarComponent>;

// Which zone an expression is evaluated in.
enum class CalendarZone {
  local, // none written: the zone given to parse_calendar()
  utc,   // "UTC" written (or an "@SECONDS" expression)
  named, // an IANA zone written, e.g. "Europe/Berlin"
};

// A parsed, normalized calendar expression.
struct CalendarSpec
{
  unsigned weekdays = 0; // bit 0 Monday ... bit 6 Sunday; 0 for any day
  CalendarChain year;
  CalendarChain month;
  CalendarChain day;         // with end_of_month: days before the month's end, 1 the last day
  bool end_of_month = false; // "~" between month and day
  CalendarChain hour;
  CalendarChain minute;
  CalendarChain second; // in microseconds; "*" is {0, -1, 1000000}
  CalendarZone zone_kind = CalendarZone::local;
  std::string zone; // the zone to compute in: the named zone or the local one; empty for UTC
  // The local zone's standard (0) or daylight (1) time when the expression
  // ended in its abbreviation ("CET", "CEST"), which the result spells as
  // `dst_name`; -1 otherwise.
  int dst = -1;
  std::string dst_name;
};

// Why an expression is not valid: a 1-based column in the text, a problem and
// (possibly empty) a hint.
struct CalendarError
{
  int column = 0;
  std::string message;
  std::string hint;
};

// Parses `text` as systemd 252 does: weekdays, dates and times with lists,
// ranges, repetitions and "~", fractional seconds, "@SECONDS", the shorthands
// (minutely ... annually) and a trailing "UTC", IANA zone or abbreviation of the
// local zone. An expression without a zone is in `local_zone` (a name
// check_timezone() accepts; the config passes settings.timezone). Reads zone
// files and sets TZ for a moment (ScopedTimezone): call it single-threaded.
tl::expected<CalendarSpec, CalendarError> parse_calendar(std::string_view text,
                                                         std::string_view local_zone = "UTC");

// Returns `error` as "COL: message; hint: hint" without the expression.
std::string format_calendar_error(const CalendarError& error);

// Returns the normalized text of `spec`, byte for byte what
// `systemd-analyze calendar` prints as "Normalized form:".
std::string normalized(const CalendarSpec& spec);

// Returns true when `spec` can fire more than once within an hour (its
// minutes or seconds match more than one value): the schedules whose timer
// gets AccuracySec=1s rather than 1min.
bool fires_more_than_hourly(const CalendarSpec& spec);

using CalendarTime = std::chrono::system_clock::time_point;

// Returns the first time `spec` elapses strictly after `after` (whole
// microseconds; `after` is truncated to them), as systemd's
// calendar_spec_next_usec() computes it: in the spec's zone with glibc's DST
// rules (a local time that does not exist is skipped, one that exists twice
// fires once). Returns nullopt when it never elapses again (years run out, or
// systemd's 1000-round safety valve gives up). Sets TZ for a moment.
std::optional<CalendarTime> next_elapse(const CalendarSpec& spec, CalendarTime after);

// Returns the latest time `spec` elapses at or before `at`, or nullopt when it
// has not elapsed since 1970; the elapse that next_elapse() from just before it
// returns. For catch-up: the newest slot that was due.
std::optional<CalendarTime> last_elapse(const CalendarSpec& spec, CalendarTime at);

// Returns the times `spec` elapses in (`after`, `until`], oldest first, at
// most `limit` of them: the slots missed between two runs.
std::vector<CalendarTime> elapses_between(const CalendarSpec& spec, CalendarTime after,
                                          CalendarTime until, std::size_t limit);

} // namespace pt
