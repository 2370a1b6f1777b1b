// SPDX-License-Identifier: MIT
// Next elapses. The expected times are what systemd-analyze calendar
// (systemd 252) prints, to the second; the fractions follow systemd's
// calendar_spec_next_usec() and its test-calendarspec.c.
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
std::string nexts(std::string_view text, std::string_view base, int n,
                  std::string_view local_zone = "UTC")
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

} // namespace

TEST_CASE("next_elapse: strictly after the base time")
{
  CHECK(nexts("daily", "2024-03-30 12:00:00", 2) == "2024-03-31T00:00:00Z 2024-04-01T00:00:00Z");
  CHECK(nexts("daily", "2024-03-31 00:00:00", 1) == "2024-04-01T00:00:00Z");
  CHECK(nexts("minutely", "2024-03-30 12:00:00.5", 1) == "2024-03-30T12:01:00Z");
  CHECK(nexts("Mon..Fri 8..17/2:00", "2024-01-01 00:00:00", 4) ==
        "2024-01-01T08:00:00Z 2024-01-01T10:00:00Z 2024-01-01T12:00:00Z 2024-01-01T14:00:00Z");
}

TEST_CASE("next_elapse: leap days, month ends and the last days of a month")
{
  CHECK(nexts("*-02-29 12:00", "2024-01-01 00:00:00", 3) ==
        "2024-02-29T12:00:00Z 2028-02-29T12:00:00Z 2032-02-29T12:00:00Z");
  CHECK(nexts("*-*-31", "2024-01-01 00:00:00", 4) ==
        "2024-01-31T00:00:00Z 2024-03-31T00:00:00Z 2024-05-31T00:00:00Z 2024-07-31T00:00:00Z");
  CHECK(nexts("*-*~1", "2024-01-01 00:00:00", 3) ==
        "2024-01-31T00:00:00Z 2024-02-29T00:00:00Z 2024-03-31T00:00:00Z");
  CHECK(nexts("*-02~03", "2024-01-01 00:00:00", 3) ==
        "2024-02-27T00:00:00Z 2025-02-26T00:00:00Z 2026-02-26T00:00:00Z");
  CHECK(nexts("*-*~5/2", "2024-03-30 12:00:00", 3) ==
        "2024-03-31T00:00:00Z 2024-04-26T00:00:00Z 2024-04-28T00:00:00Z");
}

TEST_CASE("next_elapse: fractions of a second, to the microsecond")
{
  CHECK(nexts("*:*:0/0.3", "2024-03-30 12:00:00.5", 3) ==
        "2024-03-30T12:00:00.600000Z 2024-03-30T12:00:00.900000Z 2024-03-30T12:00:01.200000Z");
  CHECK(nexts("*:*:0..0.5/0.1", "2024-03-30 12:00:00.45", 2) ==
        "2024-03-30T12:00:00.500000Z 2024-03-30T12:01:00Z");
  CHECK(nexts("*:*:1.123457", "2024-03-30 12:00:00", 1) == "2024-03-30T12:00:01.123457Z");
  CHECK(nexts("*:*:0/0.000001", "2024-03-30 12:00:00", 2) ==
        "2024-03-30T12:00:00.000001Z 2024-03-30T12:00:00.000002Z");
}

TEST_CASE("next_elapse: none when the years run out")
{
  CHECK(nexts("2024-12-31 23:59:59", "2024-01-01 00:00:00", 2) == "2024-12-31T23:59:59Z never");
  CHECK(nexts("70-01-01", "2024-01-01 00:00:00", 1) == "never");
  CHECK(nexts("*-02-30", "2024-01-01 00:00:00", 1) == "never");
  CHECK(nexts("@0", "1970-01-01 00:00:00", 1) == "never");
  CHECK(nexts("2199-12-31 23:59:59", "2199-12-31 00:00:00", 2) == "2199-12-31T23:59:59Z never");
}

TEST_CASE("next_elapse: DST in Europe/Berlin skips a missing time and fires once for a doubled one")
{
  if (!have_zones()) {
    return;
  }
  // 2024-03-31 02:00 CET became 03:00 CEST: 02:30 does not exist that day.
  CHECK(nexts("*-*-* 02:30 Europe/Berlin", "2024-03-30 12:00:00", 2) ==
        "2024-04-01T00:30:00Z 2024-04-02T00:30:00Z");
  CHECK(nexts("*:30 Europe/Berlin", "2024-03-31 00:00:00", 3) ==
        "2024-03-31T00:30:00Z 2024-03-31T01:30:00Z 2024-03-31T02:30:00Z");
  // 2024-10-27 03:00 CEST became 02:00 CET: 02:30 happens twice and fires once.
  CHECK(nexts("*-*-* 02:30 Europe/Berlin", "2024-10-26 12:00:00", 2) ==
        "2024-10-27T00:30:00Z 2024-10-28T01:30:00Z");
  CHECK(nexts("*:30 Europe/Berlin", "2024-10-27 00:00:00", 3) ==
        "2024-10-27T00:30:00Z 2024-10-27T02:30:00Z 2024-10-27T03:30:00Z");
  // The same in the local zone given to parse_calendar().
  CHECK(nexts("*:30", "2024-10-27 00:00:00", 3, "Europe/Berlin") ==
        "2024-10-27T00:30:00Z 2024-10-27T02:30:00Z 2024-10-27T03:30:00Z");
  // Forced into summer time after it ended: systemd 252.x's way out.
  CHECK(nexts("hourly CEST", "2024-10-26 23:30:00", 3, "Europe/Berlin") ==
        "2024-10-27T00:00:00Z 2024-10-27T02:00:00Z never");
}

TEST_CASE("next_elapse: DST in America/New_York")
{
  if (!have_zones()) {
    return;
  }
  CHECK(nexts("*-*-* 02:30 America/New_York", "2024-03-09 12:00:00", 2) ==
        "2024-03-11T06:30:00Z 2024-03-12T06:30:00Z");
  CHECK(nexts("*-*-* 01:30 America/New_York", "2024-11-02 12:00:00", 2) ==
        "2024-11-03T05:30:00Z 2024-11-04T06:30:00Z");
  CHECK(nexts("*:30 America/New_York", "2024-11-03 04:00:00", 4) ==
        "2024-11-03T04:30:00Z 2024-11-03T05:30:00Z 2024-11-03T07:30:00Z 2024-11-03T08:30:00Z");
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
