// SPDX-License-Identifier: MIT
#include "run/result.hpp"

#include <algorithm>
#include <csignal>

#include "util/diagnostic.hpp"

namespace pt {

int exit_code_for(const RunSummary& summary)
{
  if (summary.interrupted_by == SIGINT) {
    return k_exit_sigint;
  }
  if (summary.interrupted_by != 0) {
    return k_exit_sigterm;
  }
  const auto& tasks = summary.tasks;
  const bool any_failed = std::any_of(tasks.begin(), tasks.end(), [](const TaskOutcome& t) {
    return t.result != TaskResult::success && t.result != TaskResult::skipped;
  });
  if (any_failed) {
    return k_exit_task_failed;
  }
  const bool all_locked =
      !tasks.empty() && std::all_of(tasks.begin(), tasks.end(), [](const TaskOutcome& t) {
        return t.skip_reason == SkipReason::locked;
      });
  return all_locked ? k_exit_busy : k_exit_ok;
}

std::string_view to_string(TaskResult result)
{
  switch (result) {
  case TaskResult::success:
    return "success";
  case TaskResult::failed:
    return "failed";
  case TaskResult::timeout:
    return "timeout";
  case TaskResult::killed:
    return "killed";
  case TaskResult::skipped:
    return "skipped";
  case TaskResult::error:
    return "error";
  }
  return "error";
}

std::string_view to_string(SkipReason reason)
{
  switch (reason) {
  case SkipReason::none:
    return "";
  case SkipReason::locked:
    return "locked";
  case SkipReason::dry_run:
    return "dry-run";
  case SkipReason::interrupted:
    return "interrupted";
  }
  return "";
}

std::string_view to_string(Trigger trigger)
{
  return trigger == Trigger::manual ? "manual" : "timer";
}

} // namespace pt
