// SPDX-License-Identifier: MIT
// `periodic_tasks calendar`: systemd-analyze calendar, with our evaluator.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pt {

// What `calendar` was asked.
struct CalendarRequest
{
  std::vector<std::string> expressions;
  std::optional<std::string> base_time; // --base-time, unvalidated; default: now
  std::size_t iterations = 1;           // --iterations
  std::string timezone = "UTC";         // --timezone: the zone of expressions without one
  bool json = false;                    // --json
};

// What `calendar` prints and how it ends.
struct CalendarOutput
{
  std::string out; // for stdout
  std::string err; // for stderr: one "periodic_tasks: error: calendar: ..." line per bad expression
  int exit_code = 0;
};

// Parses each expression of `request` and computes its next elapses after the
// base time (`now` when none is given). Exit code 0 when every expression
// parses, 64 otherwise. Throws Fatal (64) for a bad --base-time or --timezone.
CalendarOutput calendar_command(const CalendarRequest& request,
                                std::chrono::system_clock::time_point now);

} // namespace pt
