// SPDX-License-Identifier: MIT
// Next elapses. The expected times are what systemd-analyze calendar
// (systemd 252) prints, to the second; the fractions follow systemd's
// calendar_spec_next_usec() and its test-calendarspec.c.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <doctest/doctest.h>

#include "schedule/calendar.hpp"
#include "schedule/timestamp.hpp"

using namespace pt;
using namespace std::chrono;

namespace {

CalendarTime at(std::string_view utc)
{
  const auto parsed = parse_timestamp(utc, "UTC");
  REQUIRE(parsed.has_value());
  return *parsed;
}

// The next `n` elapses after `base` (UTC), as RFC 3339 text, joined by spaces.
std::string nexts(std::string_view text, std::string_view base, int n, std::string_view local_zone)
{
  const auto spec = parse_calendar(text, local_zone);
  REQUIRE(spec.has_value());
  std::string out;
  CalendarTime cursor = at(base);
  for (int i = 0; i < n; ++i) {
    const auto next = next_elapse(*spec, cursor);
    if (!next) {
      out += out.empty() ? "never" : " never";
      break;
    }
    out += (out.empty() ? "" : " ") + format_utc_timestamp(*next);
    cursor = *next;
  }
  return out;
}

bool have_zones()
{
  return std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin") &&
         std::filesystem::exists("/usr/share/zoneinfo/America/New_York");
}

// Whether a case reads zone files, which a machine without tzdata lacks.
enum class Zones { none, tzdata };

// One next_elapse() case: the elapses after `base` (UTC) of `expression`
// parsed in `local_zone`, one word of `expected` per step ("never" ends it).
struct ElapseCase
{
  std::string_view pins; // what the case pins; named when it fails
  std::string_view expression;
  std::string_view local_zone;
  std::string_view base;
  std::string_view expected;
  Zones zones = Zones::none;
};

constexpr ElapseCase k_elapse_cases[] = {
    // Strictly after the base time.
    {"daily: the next midnights", "daily", "UTC", "2024-03-30 12:00:00",
     "2024-03-31T00:00:00Z 2024-04-01T00:00:00Z"},
    {"daily: a base on an elapse is not itself next", "daily", "UTC", "2024-03-31 00:00:00",
     "2024-04-01T00:00:00Z"},
    {"minutely: half a second past an elapse gives the next minute", "minutely", "UTC",
     "2024-03-30 12:00:00.5", "2024-03-30T12:01:00Z"},
    {"weekdays every second hour from 8", "Mon..Fri 8..17/2:00", "UTC", "2024-01-01 00:00:00",
     "2024-01-01T08:00:00Z 2024-01-01T10:00:00Z 2024-01-01T12:00:00Z 2024-01-01T14:00:00Z"},
    // Leap days, month ends and the last days of a month.
    {"Feb 29 only in leap years", "*-02-29 12:00", "UTC", "2024-01-01 00:00:00",
     "2024-02-29T12:00:00Z 2028-02-29T12:00:00Z 2032-02-29T12:00:00Z"},
    {"day 31 skips the shorter months", "*-*-31", "UTC", "2024-01-01 00:00:00",
     "2024-01-31T00:00:00Z 2024-03-31T00:00:00Z 2024-05-31T00:00:00Z 2024-07-31T00:00:00Z"},
    {"~1: the last day of each month", "*-*~1", "UTC", "2024-01-01 00:00:00",
     "2024-01-31T00:00:00Z 2024-02-29T00:00:00Z 2024-03-31T00:00:00Z"},
    {"~03 in February: the third-last day, leap or not", "*-02~03", "UTC", "2024-01-01 00:00:00",
     "2024-02-27T00:00:00Z 2025-02-26T00:00:00Z 2026-02-26T00:00:00Z"},
    {"~5/2: every second day from the fifth-last", "*-*~5/2", "UTC", "2024-03-30 12:00:00",
     "2024-03-31T00:00:00Z 2024-04-26T00:00:00Z 2024-04-28T00:00:00Z"},
    // Fractions of a second, to the microsecond.
    {"a 0.3 s repetition", "*:*:0/0.3", "UTC", "2024-03-30 12:00:00.5",
     "2024-03-30T12:00:00.600000Z 2024-03-30T12:00:00.900000Z 2024-03-30T12:00:01.200000Z"},
    {"a fractional range ends at its end", "*:*:0..0.5/0.1", "UTC", "2024-03-30 12:00:00.45",
     "2024-03-30T12:00:00.500000Z 2024-03-30T12:01:00Z"},
    {"a second given to the microsecond", "*:*:1.123457", "UTC", "2024-03-30 12:00:00",
     "2024-03-30T12:00:01.123457Z"},
    {"a one-microsecond repetition", "*:*:0/0.000001", "UTC", "2024-03-30 12:00:00",
     "2024-03-30T12:00:00.000001Z 2024-03-30T12:00:00.000002Z"},
    // None when the years run out.
    {"a single time, then none", "2024-12-31 23:59:59", "UTC", "2024-01-01 00:00:00",
     "2024-12-31T23:59:59Z never"},
    {"a two-digit year 70 is 1970, past", "70-01-01", "UTC", "2024-01-01 00:00:00", "never"},
    {"Feb 30 never comes", "*-02-30", "UTC", "2024-01-01 00:00:00", "never"},
    {"@0 is the epoch itself, not after it", "@0", "UTC", "1970-01-01 00:00:00", "never"},
    {"the last second of year 2199, then none", "2199-12-31 23:59:59", "UTC", "2199-12-31 00:00:00",
     "2199-12-31T23:59:59Z never"},
    // DST in Europe/Berlin skips a missing time and fires once for a doubled one.
    // 2024-03-31 02:00 CET became 03:00 CEST: 02:30 does not exist that day.
    {"Berlin spring: a missing 02:30 is skipped", "*-*-* 02:30 Europe/Berlin", "UTC",
     "2024-03-30 12:00:00", "2024-04-01T00:30:00Z 2024-04-02T00:30:00Z", Zones::tzdata},
    {"Berlin spring: hourly :30 across the gap", "*:30 Europe/Berlin", "UTC", "2024-03-31 00:00:00",
     "2024-03-31T00:30:00Z 2024-03-31T01:30:00Z 2024-03-31T02:30:00Z", Zones::tzdata},
    // 2024-10-27 03:00 CEST became 02:00 CET: 02:30 happens twice and fires once.
    {"Berlin autumn: a doubled 02:30 fires once", "*-*-* 02:30 Europe/Berlin", "UTC",
     "2024-10-26 12:00:00", "2024-10-27T00:30:00Z 2024-10-28T01:30:00Z", Zones::tzdata},
    {"Berlin autumn: hourly :30 once in the doubled hour", "*:30 Europe/Berlin", "UTC",
     "2024-10-27 00:00:00", "2024-10-27T00:30:00Z 2024-10-27T02:30:00Z 2024-10-27T03:30:00Z",
     Zones::tzdata},
    {"Berlin autumn in the local zone given to parse_calendar()", "*:30", "Europe/Berlin",
     "2024-10-27 00:00:00", "2024-10-27T00:30:00Z 2024-10-27T02:30:00Z 2024-10-27T03:30:00Z",
     Zones::tzdata},
    {"forced into summer time after it ended: systemd 252.x's way out", "hourly CEST",
     "Europe/Berlin", "2024-10-26 23:30:00", "2024-10-27T00:00:00Z 2024-10-27T02:00:00Z never",
     Zones::tzdata},
    // DST in America/New_York.
    {"New York spring: a missing 02:30 is skipped", "*-*-* 02:30 America/New_York", "UTC",
     "2024-03-09 12:00:00", "2024-03-11T06:30:00Z 2024-03-12T06:30:00Z", Zones::tzdata},
    {"New York autumn: a doubled 01:30 fires once", "*-*-* 01:30 America/New_York", "UTC",
     "2024-11-02 12:00:00", "2024-11-03T05:30:00Z 2024-11-04T06:30:00Z", Zones::tzdata},
    {"New York autumn: hourly :30 once in the doubled hour", "*:30 America/New_York", "UTC",
     "2024-11-03 04:00:00",
     "2024-11-03T04:30:00Z 2024-11-03T05:30:00Z 2024-11-03T07:30:00Z 2024-11-03T08:30:00Z",
     Zones::tzdata},
};

} // namespace

TEST_CASE("next_elapse: the table of cases, each strictly after its base time")
{
  const bool zones = have_zones();
  for (const ElapseCase& c : k_elapse_cases) {
    if (c.zones == Zones::tzdata && !zones) {
      continue;
    }
    CAPTURE(c.pins);
    CAPTURE(c.expression);
    CAPTURE(c.local_zone);
    CAPTURE(c.base);
    const auto steps = 1 + std::count(c.expected.begin(), c.expected.end(), ' ');
    CHECK(nexts(c.expression, c.base, static_cast<int>(steps), c.local_zone) == c.expected);
  }
}

TEST_CASE("next_elapse: TZ is the caller's again afterwards")
{
  if (!have_zones()) {
    return;
  }
  ::setenv("TZ", ":America/New_York", 1);
  const auto spec = parse_calendar("daily Europe/Berlin").value();
  CHECK(next_elapse(spec, at("2024-03-30 12:00:00")).has_value());
  CHECK(std::string(std::getenv("TZ")) == ":America/New_York");
  ::unsetenv("TZ");
  CHECK(next_elapse(spec, at("2024-03-30 12:00:00")).has_value());
  CHECK(std::getenv("TZ") == nullptr);
}

TEST_CASE("last_elapse: the newest elapse at or before a time")
{
  const auto spec = parse_calendar("Mon *-*-* 08:00:00").value();
  CHECK(format_utc_timestamp(last_elapse(spec, at("2026-12-09 12:00:00")).value()) ==
        "2026-12-07T08:00:00Z");
  CHECK(format_utc_timestamp(last_elapse(spec, at("2026-12-07 08:00:00")).value()) ==
        "2026-12-07T08:00:00Z");
  CHECK(format_utc_timestamp(last_elapse(spec, at("2026-12-07 07:59:59.999999")).value()) ==
        "2026-11-30T08:00:00Z");
  const auto fine = parse_calendar("*:*:0/0.25").value();
  CHECK(format_utc_timestamp(last_elapse(fine, at("2026-12-07 08:00:00.6")).value()) ==
        "2026-12-07T08:00:00.500000Z");
  CHECK_FALSE(last_elapse(parse_calendar("2030-01-01").value(), at("2026-12-07 00:00:00")));
  CHECK(format_utc_timestamp(
            last_elapse(parse_calendar("1970-01-01 00:00:05").value(), at("2026-12-07 00:00:00"))
                .value()) == "1970-01-01T00:00:05Z");
}

TEST_CASE("elapses_between: the slots in (after, until], oldest first, at most limit")
{
  const auto spec = parse_calendar("*-*-* 00/6:00:00").value();
  const auto slots =
      elapses_between(spec, at("2026-12-07 00:00:00"), at("2026-12-08 00:00:00"), 10);
  REQUIRE(slots.size() == 4);
  CHECK(format_utc_timestamp(slots.front()) == "2026-12-07T06:00:00Z");
  CHECK(format_utc_timestamp(slots.back()) == "2026-12-08T00:00:00Z");
  CHECK(elapses_between(spec, at("2026-12-07 00:00:00"), at("2026-12-08 00:00:00"), 2).size() == 2);
  CHECK(elapses_between(spec, at("2026-12-07 00:00:00"), at("2026-12-07 05:59:59"), 10).empty());
}
