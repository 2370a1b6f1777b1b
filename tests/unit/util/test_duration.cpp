// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "util/duration.hpp"

using namespace std::chrono_literals;
using pt::Duration;
using pt::format_size;
using pt::format_timespan;
using pt::parse_size;
using pt::parse_timespan;

namespace {

Duration timespan(std::string_view text)
{
  const auto parsed = parse_timespan(text);
  if (!parsed) {
    FAIL(parsed.error());
  }
  return *parsed;
}

std::string timespan_error(std::string_view text)
{
  const auto parsed = parse_timespan(text);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

std::string size_error(std::string_view text)
{
  const auto parsed = parse_size(text);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

} // namespace

TEST_CASE("parse_timespan: accepts every systemd unit")
{
  CHECK(timespan("7usec") == 7us);
  CHECK(timespan("7us") == 7us);
  CHECK(timespan("7\u00b5s") == 7us); // MICRO SIGN
  CHECK(timespan("7\u03bcs") == 7us); // GREEK SMALL LETTER MU
  CHECK(timespan("7msec") == 7ms);
  CHECK(timespan("7ms") == 7ms);
  for (const auto* unit : {"seconds", "second", "sec", "s"}) {
    CHECK(timespan(std::string("7") + unit) == 7s);
  }
  for (const auto* unit : {"minutes", "minute", "min", "m"}) {
    CHECK(timespan(std::string("7") + unit) == 7min);
  }
  for (const auto* unit : {"hours", "hour", "hr", "h"}) {
    CHECK(timespan(std::string("7") + unit) == 7h);
  }
  for (const auto* unit : {"days", "day", "d"}) {
    CHECK(timespan(std::string("7") + unit) == 7 * 24h);
  }
  for (const auto* unit : {"weeks", "week", "w"}) {
    CHECK(timespan(std::string("2") + unit) == 14 * 24h);
  }
  for (const auto* unit : {"months", "month", "M"}) {
    CHECK(timespan(std::string("1") + unit) == 2'629'800s);
  }
  for (const auto* unit : {"years", "year", "y"}) {
    CHECK(timespan(std::string("1") + unit) == 31'557'600s);
  }
}

TEST_CASE("parse_timespan: sums parts, with or without spaces")
{
  CHECK(timespan("1h30min") == 90min);
  CHECK(timespan("1h 30min") == 90min);
  CHECK(timespan("  1h   30min ") == 90min);
  CHECK(timespan("5 min") == 5min);
  CHECK(timespan("1d 2h 3min 4s 5ms 6us") == 24h + 2h + 3min + 4s + 5ms + 6us);
  CHECK(timespan("1min 1min") == 2min);
}

TEST_CASE("parse_timespan: a bare number is seconds")
{
  CHECK(timespan("0") == 0s);
  CHECK(timespan("90") == 90s);
  CHECK(timespan("1min 30") == 90s);
}

TEST_CASE("parse_timespan: accepts fractions")
{
  CHECK(timespan("1.5h") == 90min);
  CHECK(timespan("0.5s") == 500ms);
  CHECK(timespan("1.5") == 1500ms);
  CHECK(timespan("2.25min") == 135s);
  CHECK(timespan("1.0001ms") == 1000us); // truncated to whole microseconds, as systemd
}

TEST_CASE("parse_timespan: infinity means no limit")
{
  CHECK(timespan("infinity") == pt::k_infinite);
  CHECK(timespan(" infinity ") == pt::k_infinite);
}

TEST_CASE("parse_timespan: explains what is wrong")
{
  CHECK(timespan_error("") == "empty time span");
  CHECK(timespan_error("   ") == "empty time span");
  CHECK(timespan_error("-5s") == "a time span cannot be negative");
  CHECK(timespan_error("5 mins") == R"(unknown unit "mins" (use us, ms, s, min, h, d, w, M or y))");
  CHECK(timespan_error("5S") == R"(unknown unit "S" (use us, ms, s, min, h, d, w, M or y))");
  CHECK(timespan_error("abc") == R"(expected a number at "abc")");
  CHECK(timespan_error("5min-3s") == R"(expected a number at "-3s")");
  CHECK(timespan_error("infinity 5s") == R"(expected a number at "infinity 5s")");
}

TEST_CASE("parse_timespan: refuses what does not fit")
{
  CHECK(timespan_error("300000y") == "time span is too large");
  CHECK(timespan_error("99999999999999999999s") == "time span is too large");
  CHECK(timespan_error("200000y 200000y") == "time span is too large");
}

TEST_CASE("format_timespan: writes what systemd writes")
{
  CHECK(format_timespan(0us) == "0");
  CHECK(format_timespan(90min) == "1h 30min");
  CHECK(format_timespan(90s) == "1min 30s");
  CHECK(format_timespan(90ms) == "90ms");
  CHECK(format_timespan(1500ms) == "1.500s");
  CHECK(format_timespan(61500ms) == "1min 1.500s");
  CHECK(format_timespan(500us) == "500us");
  CHECK(format_timespan(24h + 2h) == "1d 2h");
  CHECK(format_timespan(14 * 24h) == "2w");
  CHECK(format_timespan(2'629'800s) == "1month");
  CHECK(format_timespan(31'557'600s) == "1y");
  CHECK(format_timespan(pt::k_infinite) == "infinity");
}

TEST_CASE("format_timespan: round-trips through parse_timespan")
{
  for (const Duration d : {Duration(90min), Duration(1500ms), Duration(26h + 3s), Duration(7ms)}) {
    CHECK(timespan(format_timespan(d)) == d);
  }
}

TEST_CASE("parse_size: accepts binary and decimal units")
{
  CHECK(parse_size("0") == 0U);
  CHECK(parse_size("512") == 512U);
  CHECK(parse_size("512B") == 512U);
  CHECK(parse_size("1K") == 1024U);
  CHECK(parse_size("1KiB") == 1024U);
  CHECK(parse_size("1M") == 1U << 20);
  CHECK(parse_size("1MiB") == 1U << 20);
  CHECK(parse_size("2G") == 2ULL << 30);
  CHECK(parse_size("2GiB") == 2ULL << 30);
  CHECK(parse_size("3T") == 3ULL << 40);
  CHECK(parse_size("3TiB") == 3ULL << 40);
  CHECK(parse_size("1KB") == 1000U);
  CHECK(parse_size("1MB") == 1'000'000U);
  CHECK(parse_size("1GB") == 1'000'000'000U);
  CHECK(parse_size(" 64 KiB ") == 65536U);
}

TEST_CASE("parse_size: explains what is wrong")
{
  constexpr auto k_units = "(use B, K, KiB, M, MiB, G, GiB, T, TiB, KB, MB or GB)";
  CHECK(size_error("") == "empty size");
  CHECK(size_error("-1") == "a size cannot be negative");
  CHECK(size_error("1Mb") == std::string(R"(unknown unit "Mb" )") + k_units);
  CHECK(size_error("1kB") == std::string(R"(unknown unit "kB" )") + k_units);
  CHECK(size_error("1TB") == std::string(R"(unknown unit "TB" )") + k_units);
  CHECK(size_error("MiB") == R"(expected a number at "MiB")");
  CHECK(size_error("1.5MiB") == R"(expected a whole number of bytes at "1.5MiB")");
  CHECK(size_error("20000000000T") == "size is too large");
  CHECK(size_error("99999999999999999999") == "size is too large");
}

TEST_CASE("format_size: writes sizes compactly")
{
  CHECK(format_size(0) == "0B");
  CHECK(format_size(512) == "512B");
  CHECK(format_size(1024) == "1KiB");
  CHECK(format_size(1U << 20) == "1MiB");
  CHECK(format_size(3ULL << 29) == "1.5GiB");
  CHECK(format_size(1000) == "1000B");
  CHECK(format_size(1'000'000) == "976.6KiB");
}
