// SPDX-License-Identifier: MIT
// The text mimics systemd-analyze calendar (systemd 252) so that people can
// compare the two by eye: right-aligned labels, "Original form" only when the
// normalized form differs, times in the local zone with "(in UTC)" beside them
// when that zone is not UTC. The JSON is ours and stable (docs/cli.md).
#include "app/calendar_command.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "schedule/calendar.hpp"
#include "schedule/timestamp.hpp"
#include "schedule/zone.hpp"
#include "util/diagnostic.hpp"
#include "util/text.hpp"

namespace pt {
namespace {

using Json = nlohmann::ordered_json;
using TimePoint = std::chrono::system_clock::time_point;

// One expression's result.
struct Evaluated
{
  std::string expression;
  tl::expected<CalendarSpec, CalendarError> spec;
  std::vector<TimePoint> next;
};

std::string line(std::string_view label, std::string_view value)
{
  return fmt::format("{:>15}: {}\n", label, escape_control(value));
}

// `then` relative to `now` as systemd words it: "2 years 8 months ago", "5min left".
std::string relative(TimePoint then, TimePoint now)
{
  struct Step
  {
    std::int64_t at_least; // seconds
    std::int64_t unit;
    std::int64_t sub_unit;
    std::string_view format; // {0} whole units, {1} sub-units, {2} "left" or "ago"
  };
  constexpr std::int64_t minute = 60;
  constexpr std::int64_t hour = 60 * minute;
  constexpr std::int64_t day = 24 * hour;
  constexpr std::int64_t month = 2'629'800;
  constexpr std::int64_t year = 31'557'600;
  static constexpr std::array<Step, 9> k_steps{{
      {year, year, month, "{0} year{3} {1} month{4} {2}"},
      {month, month, day, "{0} month{3} {1} day{4} {2}"},
      {7 * day, 7 * day, day, "{0} week{3} {1} day{4} {2}"},
      {2 * day, day, 1, "{0} days {2}"},
      {25 * hour, hour, 1, "1 day {5}h {2}"},
      {6 * hour, hour, 1, "{0}h {2}"},
      {hour, hour, minute, "{0}h {1}min {2}"},
      {5 * minute, minute, 1, "{0}min {2}"},
      {minute, minute, 1, "{0}min {1}s {2}"},
  }};
  const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(then - now).count();
  const std::string_view direction = usec >= 0 ? "left" : "ago";
  const std::int64_t d = usec >= 0 ? usec : -usec;
  const std::int64_t s = d / 1'000'000;
  for (const auto& step : k_steps) {
    if (s >= step.at_least) {
      const std::int64_t whole = s / step.unit;
      const std::int64_t part = (s % step.unit) / step.sub_unit;
      return fmt::format(fmt::runtime(step.format), whole, part, direction, whole == 1 ? "" : "s",
                         part == 1 ? "" : "s", (s - day) / hour);
    }
  }
  if (s >= 1) {
    return fmt::format("{}s {}", s, direction);
  }
  if (d >= 1000) {
    return fmt::format("{}ms {}", d / 1000, direction);
  }
  return d > 0 ? fmt::format("{}us {}", d, direction) : "now";
}

std::string render_text(const std::vector<Evaluated>& results, const CalendarRequest& request,
                        TimePoint now)
{
  std::string out;
  bool first = true;
  for (const auto& result : results) {
    if (!result.spec) {
      continue;
    }
    if (!first) {
      out += '\n';
    }
    first = false;
    const std::string text = normalized(*result.spec);
    if (text != result.expression) {
      out += line("Original form", result.expression);
    }
    out += line("Normalized form", text);
    if (result.next.empty()) {
      out += line("Next elapse", "never");
    }
    for (std::size_t i = 0; i < result.next.size(); ++i) {
      const TimePoint at = result.next[i];
      out += line(i == 0 ? std::string("Next elapse") : fmt::format("Iter. #{}", i + 1),
                  format_zone_timestamp(at, request.timezone));
      if (request.timezone != "UTC") {
        out += line("(in UTC)", format_zone_timestamp(at, "UTC"));
      }
      out += line("From now", relative(at, now));
    }
  }
  return out;
}

std::string render_json(const std::vector<Evaluated>& results)
{
  Json array = Json::array();
  for (const auto& result : results) {
    Json j;
    j["expression"] = result.expression;
    if (result.spec) {
      j["normalized"] = normalized(*result.spec);
      Json next = Json::array();
      for (const TimePoint at : result.next) {
        next.push_back(format_utc_timestamp(at));
      }
      j["next"] = std::move(next);
    } else {
      j["error"] = result.spec.error().message;
      j["column"] = result.spec.error().column;
      j["hint"] = result.spec.error().hint;
    }
    array.push_back(std::move(j));
  }
  return escape_json_controls(array.dump(2, ' ', false, Json::error_handler_t::replace)) + "\n";
}

TimePoint base_time(const CalendarRequest& request, TimePoint now)
{
  if (!request.base_time) {
    return now;
  }
  auto parsed = parse_timestamp(*request.base_time, request.timezone);
  if (!parsed) {
    throw Fatal(k_exit_usage, fmt::format("--base-time: invalid time \"{}\": {}",
                                          *request.base_time, parsed.error()));
  }
  return *parsed;
}

} // namespace

CalendarOutput calendar_command(const CalendarRequest& request, TimePoint now)
{
  if (auto zone = check_timezone(request.timezone); !zone) {
    throw Fatal(k_exit_usage, fmt::format("--timezone: unknown timezone \"{}\": {}",
                                          request.timezone, zone.error()));
  }
  const TimePoint base = base_time(request, now);
  CalendarOutput output;
  std::vector<Evaluated> results;
  for (const auto& expression : request.expressions) {
    Evaluated result{expression, parse_calendar(expression, request.timezone), {}};
    if (result.spec) {
      result.next = elapses_between(*result.spec, base, TimePoint::max(), request.iterations);
    } else {
      output.err += escape_control(fmt::format("periodic_tasks: error: calendar: {}:{}", expression,
                                               format_calendar_error(result.spec.error()))) +
                    "\n";
      output.exit_code = k_exit_usage;
    }
    results.push_back(std::move(result));
  }
  output.out = request.json ? render_json(results) : render_text(results, request, now);
  return output;
}

} // namespace pt
