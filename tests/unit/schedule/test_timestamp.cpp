// SPDX-License-Identifier: MIT
#include <filesystem>

#include <doctest/doctest.h>

#include "schedule/timestamp.hpp"
#include "schedule/zone.hpp"

using namespace pt;
using namespace std::chrono;

TEST_CASE("format_utc_timestamp: RFC 3339 in UTC, decimals only when there are any")
{
  const TimePoint slot = sys_days{year{2026} / 12 / 7} + hours{7};
  CHECK(format_utc_timestamp(slot) == "2026-12-07T07:00:00Z");
  CHECK(format_utc_timestamp(slot + milliseconds{500}) == "2026-12-07T07:00:00.500000Z");
  CHECK(format_utc_timestamp(slot + nanoseconds{1500}) == "2026-12-07T07:00:00.000001Z");
  CHECK(format_utc_timestamp(TimePoint{}) == "1970-01-01T00:00:00Z");
}

TEST_CASE("parse_timestamp: @SECONDS, or a date and time in a zone")
{
  const TimePoint slot = sys_days{year{2026} / 12 / 7} + hours{7};
  CHECK(parse_timestamp("@1796626800", "UTC").value() == slot);
  CHECK(parse_timestamp("@1796626800.25", "UTC").value() == slot + milliseconds{250});
  CHECK(parse_timestamp("2026-12-07 07:00:00", "UTC").value() == slot);
  CHECK(parse_timestamp("2026-12-07 07:00", "UTC").value() == slot);
  CHECK(parse_timestamp("2026-12-07 07:00:00.5 UTC", "Europe/Berlin").value() ==
        slot + milliseconds{500});
  if (std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) {
    CHECK(parse_timestamp("2026-12-07 08:00:00 Europe/Berlin", "UTC").value() == slot);
    CHECK(parse_timestamp("2026-12-07 08:00:00", "Europe/Berlin").value() == slot);
  }
  CHECK(parse_timestamp("2026-12-07T07:00:00Z", "UTC").error() ==
        "expected @SECONDS or \"YYYY-MM-DD HH:MM[:SS][ ZONE]\"");
  CHECK(parse_timestamp("2026-02-30 07:00:00", "UTC").error() == "no such date or time");
  CHECK(parse_timestamp("2026-12-07 07:00:00 Mars/Olympus", "UTC").error() ==
        "unknown timezone \"Mars/Olympus\": no /usr/share/zoneinfo/Mars/Olympus");
  CHECK(parse_timestamp("@-5", "UTC").error() == "expected @SECONDS since 1970, e.g. @1767225600");
}

TEST_CASE("format_zone_timestamp: systemd's form, in the zone given")
{
  const TimePoint slot = sys_days{year{2024} / 3 / 30} + hours{23};
  CHECK(format_zone_timestamp(slot, "UTC") == "Sat 2024-03-30 23:00:00 UTC");
  if (std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) {
    CHECK(format_zone_timestamp(slot, "Europe/Berlin") == "Sun 2024-03-31 00:00:00 CET");
  }
}

TEST_CASE("check_timezone: zone files with names systemd accepts")
{
  CHECK(check_timezone("UTC").has_value());
  CHECK(check_timezone("/etc/localtime").error() == "not a name under /usr/share/zoneinfo");
  CHECK(check_timezone("Mars/Olympus").error() == "no /usr/share/zoneinfo/Mars/Olympus");
  if (std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) {
    CHECK(check_timezone("Europe/Berlin").has_value());
    CHECK(check_timezone("Etc/GMT+5").has_value());
    CHECK(check_timezone("Europe/./Berlin").error() ==
          "not a zone name systemd accepts (letters, digits, \"-\", \"_\", \"+\" and \"/\" "
          "between them)");
  }
}
