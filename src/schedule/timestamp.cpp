// SPDX-License-Identifier: MIT
#include "schedule/timestamp.hpp"

#include <charconv>
#include <cstdint>
#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "schedule/zone.hpp"

namespace pt {
namespace {

using Micros = std::chrono::microseconds;
constexpr std::int64_t k_usec_per_sec = 1'000'000;

std::int64_t to_usec(TimePoint time)
{
  return std::chrono::floor<Micros>(time.time_since_epoch()).count();
}

TimePoint from_usec(std::int64_t usec)
{
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(Micros(usec)));
}

// Reads exactly `count` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count)
{
  if (pos + count > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Reads ".FRACTION" (1 to 6 digits) at the front of `rest` into microseconds.
std::optional<std::int64_t> fraction(std::string_view& rest)
{
  if (rest.empty() || rest.front() != '.') {
    return 0;
  }
  rest.remove_prefix(1);
  std::size_t n = 0;
  std::int64_t value = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
    if (n >= 6) {
      return std::nullopt;
    }
    value = value * 10 + (rest[n] - '0');
    ++n;
  }
  if (n == 0) {
    return std::nullopt;
  }
  for (std::size_t i = n; i < 6; ++i) {
    value *= 10;
  }
  rest.remove_prefix(n);
  return value;
}

tl::expected<TimePoint, std::string> parse_epoch(std::string_view text)
{
  std::string_view rest = text.substr(1);
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), seconds);
  if (ec != std::errc{} || end == rest.data() || seconds < 0 ||
      seconds > 253'402'214'399) { // 9999-12-30 23:59:59, systemd's last formattable second
    return tl::unexpected(std::string("expected @SECONDS since 1970, e.g. @1767225600"));
  }
  rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
  const auto usec = fraction(rest);
  if (!usec || !rest.empty()) {
    return tl::unexpected(std::string("expected @SECONDS since 1970 with at most 6 decimals"));
  }
  return from_usec(seconds * k_usec_per_sec + *usec);
}

} // namespace

std::string format_utc_timestamp(TimePoint time)
{
  const std::int64_t usec = to_usec(time);
  const auto seconds = static_cast<std::time_t>((usec >= 0 ? usec : usec - (k_usec_per_sec - 1)) /
                                                k_usec_per_sec); // floor
  const auto micros = usec - std::int64_t{seconds} * k_usec_per_sec;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (micros != 0) {
    text += fmt::format(".{:06}", micros);
  }
  return text + "Z";
}

std::string format_zone_timestamp(TimePoint time, std::string_view zone)
{
  const ScopedTimezone scoped(zone);
  const auto seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm tm{};
  ::localtime_r(&seconds, &tm);
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(buffer, n);
}

tl::expected<TimePoint, std::string> parse_timestamp(std::string_view text,
                                                     std::string_view default_zone)
{
  if (!text.empty() && text.front() == '@') {
    return parse_epoch(text);
  }
  const std::string wanted = "expected @SECONDS or \"YYYY-MM-DD HH:MM[:SS][ ZONE]\"";
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  if (!year || !month || !day || !hour || !minute || text[4] != '-' || text[7] != '-' ||
      text[10] != ' ' || text[13] != ':') {
    return tl::unexpected(wanted);
  }
  std::string_view rest = text.substr(16);
  int second = 0;
  if (!rest.empty() && rest.front() == ':') {
    const auto s = digits(rest, 1, 2);
    if (!s) {
      return tl::unexpected(wanted);
    }
    second = *s;
    rest.remove_prefix(3);
  }
  const auto usec = fraction(rest);
  if (!usec) {
    return tl::unexpected(std::string("expected at most 6 decimals after the seconds"));
  }
  std::string zone(default_zone);
  if (!rest.empty()) {
    if (rest.front() != ' ' || rest.size() < 2) {
      return tl::unexpected(wanted);
    }
    zone = std::string(rest.substr(1));
  }
  if (auto checked = check_timezone(zone); !checked) {
    return tl::unexpected(fmt::format("unknown timezone \"{}\": {}", zone, checked.error()));
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  const std::tm wanted_tm = tm;
  std::time_t seconds = 0;
  if (zone == "UTC") {
    seconds = ::timegm(&tm);
  } else {
    const ScopedTimezone scoped(zone);
    seconds = ::mktime(&tm);
  }
  if (tm.tm_year != wanted_tm.tm_year || tm.tm_mon != wanted_tm.tm_mon ||
      tm.tm_mday != wanted_tm.tm_mday || *month < 1 || *month > 12 || *hour > 23 || *minute > 59 ||
      second > 59) {
    return tl::unexpected(std::string("no such date or time"));
  }
  if (seconds < 0) {
    return tl::unexpected(std::string("times before 1970 are not supported"));
  }
  return from_usec(std::int64_t{seconds} * k_usec_per_sec + *usec);
}

} // namespace pt
