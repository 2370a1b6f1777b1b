// SPDX-License-Identifier: MIT
#include "run/context.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <sys/random.h>

#include <fmt/format.h>

#include "schedule/zone.hpp"
#include "util/diagnostic.hpp"

namespace pt {

namespace {

bool is_utc(const std::string& zone)
{
  return zone == "UTC" || zone == "Etc/UTC";
}

std::string format_tm_date(const std::tm& tm)
{
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

} // namespace

std::string new_run_id()
{
  unsigned char bytes[16];
  std::size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0) {
      throw Fatal(k_exit_os_error,
                  fmt::format("cannot read random bytes for the run id: {}", std::strerror(errno)));
    }
    filled += static_cast<std::size_t>(n);
  }
  std::string id;
  for (const unsigned char b : bytes) {
    id += fmt::format("{:02x}", b);
  }
  return id;
}

tl::expected<std::string, std::string> parse_as_of(std::string_view text)
{
  const auto digits = [&](std::size_t from, std::size_t count) {
    unsigned value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return -1;
      }
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return static_cast<int>(value);
  };
  const std::string wanted = "expected a date written YYYY-MM-DD, e.g. 2025-01-27";
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return tl::unexpected(fmt::format("invalid date \"{}\": {}", text, wanted));
  }
  const int year = digits(0, 4);
  const int month = digits(5, 2);
  const int day = digits(8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return tl::unexpected(fmt::format("invalid date \"{}\": {}", text, wanted));
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || year < 1) {
    return tl::unexpected(fmt::format("invalid date \"{}\": no such day in the calendar", text));
  }
  return std::string(text);
}

tl::expected<std::string, std::string> local_date(std::chrono::system_clock::time_point now,
                                                  const std::string& zone)
{
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  if (is_utc(zone)) {
    gmtime_r(&seconds, &tm);
    return format_tm_date(tm);
  }
  // The loader has checked settings.timezone already; this guards other callers.
  if (auto checked = check_timezone(zone); !checked) {
    return tl::unexpected(fmt::format("unknown timezone \"{}\" ({})", zone, checked.error()));
  }
  const ScopedTimezone scoped(zone);
  localtime_r(&seconds, &tm);
  return format_tm_date(tm);
}

} // namespace pt
