// SPDX-License-Identifier: MIT
#include <filesystem>
#include <set>

#include <doctest/doctest.h>

#include "run/context.hpp"

using namespace pt;
using namespace std::chrono;

TEST_CASE("new_run_id: 32 lower-case hex digits, different each time")
{
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = new_run_id();
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 100);
}

TEST_CASE("parse_as_of: real dates only")
{
  CHECK(parse_as_of("2025-01-27").value() == "2025-01-27");
  CHECK(parse_as_of("2024-02-29").has_value());
  CHECK(parse_as_of("2025-02-29").error() ==
        "invalid date \"2025-02-29\": no such day in the calendar");
  CHECK(parse_as_of("2025-1-27").error() ==
        "invalid date \"2025-1-27\": expected a date written YYYY-MM-DD, e.g. 2025-01-27");
  CHECK_FALSE(parse_as_of("yesterday").has_value());
  CHECK_FALSE(parse_as_of("2025-13-01").has_value());
  CHECK_FALSE(parse_as_of("2025-00-10").has_value());
}

TEST_CASE("local_date: the calendar day in the configured zone")
{
  // 2025-01-27 23:30 UTC is already the 28th in Berlin and still the 27th in New York.
  const sys_seconds instant = sys_days{year{2025} / 1 / 27} + hours{23} + minutes{30};
  CHECK(local_date(instant, "UTC").value() == "2025-01-27");
  if (std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) {
    CHECK(local_date(instant, "Europe/Berlin").value() == "2025-01-28");
    CHECK(local_date(instant, "America/New_York").value() == "2025-01-27");
  }
  CHECK(local_date(instant, "Mars/Olympus").error() ==
        "unknown timezone \"Mars/Olympus\" (no /usr/share/zoneinfo/Mars/Olympus)");
}

TEST_CASE("local_date: only TZif zone files, never a directory or another file as UTC")
{
  const sys_seconds instant = sys_days{year{2025} / 1 / 27} + hours{23} + minutes{30};
  if (std::filesystem::is_regular_file("/usr/share/zoneinfo/zone.tab")) {
    CHECK(local_date(instant, "zone.tab").error() ==
          "unknown timezone \"zone.tab\" (/usr/share/zoneinfo/zone.tab is not a zone file "
          "(TZif))");
  }
  if (std::filesystem::is_directory("/usr/share/zoneinfo/America")) {
    CHECK(local_date(instant, "America").error() ==
          "unknown timezone \"America\" (/usr/share/zoneinfo/America is not a zone file (TZif))");
  }
  CHECK(local_date(instant, "/etc/localtime").error() ==
        "unknown timezone \"/etc/localtime\" (not a name under /usr/share/zoneinfo)");
}
