// SPDX-License-Identifier: MIT
// The parser and the normalized form. Every normalized text here is what
// systemd-analyze calendar (systemd 252) prints; test_calendar_differential.sh
// checks thousands more against the real thing.
#include <doctest/doctest.h>

#include "schedule/calendar.hpp"

using namespace pt;

namespace {

std::string norm(std::string_view text, std::string_view local_zone = "UTC")
{
  const auto spec = parse_calendar(text, local_zone);
  if (!spec) {
    FAIL(text << ": " << format_calendar_error(spec.error()));
  }
  return normalized(*spec);
}

std::string error(std::string_view text)
{
  const auto spec = parse_calendar(text);
  REQUIRE_FALSE(spec.has_value());
  return std::to_string(spec.error().column) + ": " + spec.error().message;
}

bool valid(std::string_view text)
{
  return parse_calendar(text).has_value();
}

} // namespace

TEST_CASE("parse_calendar: the shorthands, in any case")
{
  CHECK(norm("minutely") == "*-*-* *:*:00");
  CHECK(norm("hourly") == "*-*-* *:00:00");
  CHECK(norm("daily") == "*-*-* 00:00:00");
  CHECK(norm("DAILY") == "*-*-* 00:00:00");
  CHECK(norm("weekly") == "Mon *-*-* 00:00:00");
  CHECK(norm("monthly") == "*-*-01 00:00:00");
  CHECK(norm("yearly") == "*-01-01 00:00:00");
  CHECK(norm("annually") == "*-01-01 00:00:00");
  CHECK(norm("anually") == "*-01-01 00:00:00");
  CHECK(norm("quarterly") == "*-01,04,07,10-01 00:00:00");
  for (const auto* name : {"semiannually", "semi-annually", "biannually", "bi-annually"}) {
    CHECK(norm(name) == "*-01,07-01 00:00:00");
  }
  CHECK(norm("daily Europe/Berlin") == "*-*-* 00:00:00 Europe/Berlin");
}

TEST_CASE("parse_calendar: weekdays in lists and ranges")
{
  CHECK(norm("Mon") == "Mon *-*-* 00:00:00");
  CHECK(norm("MONDAY 00:00") == "Mon *-*-* 00:00:00");
  CHECK(norm("mon,tue,wed..fri 1:2:3") == "Mon..Fri *-*-* 01:02:03");
  CHECK(norm("Mon-Fri 08:00") == "Mon..Fri *-*-* 08:00:00");
  CHECK(norm("Sat,Sun, 10:00") == "Sat,Sun *-*-* 10:00:00");
  CHECK(norm("Mon,Wed,Fri,Sun") == "Mon,Wed,Fri,Sun *-*-* 00:00:00");
  CHECK(norm("Mon,Tue,Thu") == "Mon,Tue,Thu *-*-* 00:00:00");
  CHECK(norm("Mon..Sun") == "*-*-* 00:00:00");
}

TEST_CASE("parse_calendar: dates, years and the last days of a month")
{
  CHECK(norm("*-*") == "*-*-* 00:00:00");
  CHECK(norm("2-29") == "*-02-29 00:00:00");
  CHECK(norm("69-01-01") == "2069-01-01 00:00:00");
  CHECK(norm("70-01-01") == "1970-01-01 00:00:00");
  CHECK(norm("2024..2026-02-29") == "2024..2026-02-29 00:00:00");
  CHECK(norm("*-*~1") == "*-*~01 00:00:00");
  CHECK(norm("*-02~03") == "*-02~03 00:00:00");
  CHECK(norm("*-*~1..3") == "*-*~01..03 00:00:00");
  CHECK(norm("*-*~5/2") == "*-*~05/2 00:00:00");
  CHECK(norm("*-*~*") == "*-*-* 00:00:00");
  CHECK(norm("@1234567890") == "2009-02-13 23:31:30 UTC");
  CHECK(norm("@1234567890 Europe/Berlin") == "2009-02-13 23:31:30 UTC");
  CHECK(norm("@ 5") == "1970-01-01 00:00:05 UTC"); // strtoul's leniency, as systemd
}

TEST_CASE("parse_calendar: lists, ranges and steps are sorted, cut and deduplicated")
{
  CHECK(norm("8..17/2:00") == "*-*-* 08..16/2:00:00");
  CHECK(norm("8..9/5:00") == "*-*-* 08:00:00");
  CHECK(norm("5..5:00") == "*-*-* 05:00:00");
  CHECK(norm("0,1,2,1,0:0") == "*-*-* 00,01,02:00:00");
  CHECK(norm("1,2..4,3/5:00") == "*-*-* 01,02..04,03/5:00:00");
  CHECK(norm("*:0/15") == "*-*-* *:00/15:00");
}

TEST_CASE("parse_calendar: seconds keep six decimals, rounded on the seventh")
{
  CHECK(norm("*:*:*") == "*-*-* *:*:*");
  CHECK(norm("*:*:0/0.5") == "*-*-* *:*:00/0.500000");
  CHECK(norm("*:*:1.1234565") == "*-*-* *:*:01.123457");
  CHECK(norm("*:*:1.1234564") == "*-*-* *:*:01.123456");
  CHECK(norm("*:*:0.0000004") == "*-*-* *:*:00");
  CHECK(norm("*:*:0..5") == "*-*-* *:*:00..05");
  CHECK(norm("*:*:0..0.5/0.1") == "*-*-* *:*:00..00.500000/0.100000");
}

TEST_CASE("parse_calendar: the zone at the end")
{
  CHECK(norm("*-*-* 00:00 utc") == "*-*-* 00:00:00 UTC");
  CHECK(norm("*-*-* 00:00 Etc/UTC") == "*-*-* 00:00:00 Etc/UTC");
  CHECK(norm("12:00 CET") == "*-*-* 12:00:00 CET"); // the zone file CET, in UTC
  // In Europe/Berlin, "cet" and "CEST" name its standard and daylight time.
  CHECK(norm("12:00 cet", "Europe/Berlin") == "*-*-* 12:00:00 CET");
  CHECK(norm("12:00 CEST", "Europe/Berlin") == "*-*-* 12:00:00 CEST");
  CHECK_FALSE(valid("12:00 CEST"));
  const auto spec = parse_calendar("Mon 08:00", "America/New_York");
  REQUIRE(spec.has_value());
  CHECK(spec->zone_kind == CalendarZone::local);
  CHECK(spec->zone == "America/New_York");
  CHECK(normalized(*spec) == "Mon *-*-* 08:00:00");
}

TEST_CASE("parse_calendar: what systemd refuses, with the column at fault")
{
  CHECK(error("") == "1: empty calendar expression");
  CHECK(error("foo") == "1: expected a number or \"*\", found \"foo\"");
  CHECK(error(" 12:00") == "1: expected a number or \"*\", found \" \"");
  CHECK(error("12:00 ") == "6: unexpected \" \" at the end");
  CHECK(error("*") == "2: expected \":\" after the hour, not the end");
  CHECK(error("*:*:*/5") == "6: unexpected \"/\" after the seconds");
  CHECK(error("*:59/1") == "3: minute 59/1 never repeats within 0..59");
  CHECK(error("*:0/60") == "3: minute step 60 is larger than the range 0..59");
  CHECK(error("10..5:00") == "1: hour range 10..5 runs backwards");
  CHECK(error("*:*:0.5..0.7") == "5: a range of seconds without a step must span at least 1s");
  CHECK(error("*:*:1.") == "7: expected digits after the decimal point");
  CHECK(error("*:*:59.9999995") == "5: second 60 is out of range 0..59.999999");
  CHECK(error("*-*-* 1/0:00") == "9: a repetition of 0 never advances");
  CHECK(error("*-*-* 2147483648:00") == "7: number too large");
  CHECK(error("1969-01-01") == "1: year 1969 is out of range 1970..2199");
  CHECK(error("*-13-01") == "3: month 13 is out of range 1..12");
  CHECK(error("*-*-32") == "5: day 32 is out of range 1..31");
  CHECK(error("*-*~29") == "5: day 29 is out of range 1..28");
  CHECK(error("*-*~3,26") == "7: day 26 is out of range 1..25"); // systemd's limit falls by 3
  CHECK(error("*-05~1/2") == "6: day 1/2 never repeats within 1..28");
  CHECK(error("2020~02-03") == "5: \"~\" may stand only before the day");
  CHECK(error("Fri..Mon") == "1: weekday range \"Fri..Mon\" runs backwards");
  CHECK(error("Mond") == "1: unknown weekday \"Mond\"");
  CHECK(error("Mon,,Tue") == "5: expected a weekday, found \",\"");
  CHECK(error("Mon..") == "1: weekday range without an end");
  CHECK(error("Mon.Tue") == "4: expected \"..\" in a weekday range");
  CHECK(error("@x") == "2: expected seconds since 1970 after \"@\"");
  CHECK(error("12:00 Mars/Olympus") ==
        "7: unknown timezone \"Mars/Olympus\": no /usr/share/zoneinfo/Mars/Olympus");
  CHECK(error("daily Mars") == "7: unknown timezone \"Mars\": no /usr/share/zoneinfo/Mars");
  // A shorthand with a space too many: the column of that space, not of the word.
  CHECK(error("daily  UTC") == "6: unexpected \" \" after \"daily\"");
  CHECK(error("daily  Europe/Berlin") == "6: unexpected \" \" after \"daily\"");
  // A space at the end of what would be valid: where it starts.
  CHECK(error("hourly ") == "7: unexpected \" \" at the end");
  CHECK(error("Weekly UTC  ") == "11: unexpected \" \" at the end");
  CHECK(error("Mon 08:00 ") == "10: unexpected \" \" at the end");
  CHECK(error("Mon 25:00 ") == "10: unexpected \" \" after the minutes");
  CHECK(error("*-*-* 00:00 europe/berlin") ==
        "13: unknown timezone \"europe/berlin\": no /usr/share/zoneinfo/europe/berlin");
}

TEST_CASE("parse_calendar: at most 241 values in one list, as systemd")
{
  std::string list = "0";
  for (int i = 1; i < 241; ++i) {
    list += "," + std::to_string(i % 60);
  }
  CHECK(valid("*:" + list));
  CHECK(error("*:" + list + ",1") ==
        std::to_string(list.size() + 4) + ": more than 241 values in one list");
}

TEST_CASE("format_calendar_error: column, message and hint")
{
  CHECK(format_calendar_error({3, "minute 60 is out of range 0..59", "minutes are 0..59"}) ==
        "3: minute 60 is out of range 0..59; hint: minutes are 0..59");
  CHECK(format_calendar_error({1, "empty calendar expression", ""}) ==
        "1: empty calendar expression");
}

TEST_CASE("fires_more_than_hourly: several minutes or seconds in an hour")
{
  const auto more = [](std::string_view text) {
    return fires_more_than_hourly(parse_calendar(text).value());
  };
  CHECK(more("minutely"));
  CHECK(more("*:0/15"));
  CHECK(more("*:00,30"));
  CHECK(more("*:00:*"));
  CHECK(more("*:00:0/30"));
  CHECK_FALSE(more("hourly"));
  CHECK_FALSE(more("daily"));
  CHECK_FALSE(more("Mon *-*-* 08:00:00 Europe/Berlin"));
  CHECK_FALSE(more("*-*-* 00..23:15:00")); // every hour, once
}
