// SPDX-License-Identifier: MIT
#include "run/result.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "util/diagnostic.hpp"

namespace pt {

namespace {

// The TASK_RESULT words, one per TaskResult in the enum's order: written once,
// for to_string and parse_task_result alike.
constexpr std::array<std::pair<TaskResult, std::string_view>, 6> k_task_result_words{{
    {TaskResult::success, "success"},
    {TaskResult::failed, "failed"},
    {TaskResult::timeout, "timeout"},
    {TaskResult::killed, "killed"},
    {TaskResult::skipped, "skipped"},
    {TaskResult::error, "error"},
}};

constexpr bool in_enum_order()
{
  for (std::size_t i = 0; i < k_task_result_words.size(); ++i) {
    if (static_cast<std::size_t>(k_task_result_words[i].first) != i) {
      return false;
    }
  }
  return true;
}

static_assert(k_task_result_words.size() == static_cast<std::size_t>(TaskResult::error) + 1 &&
                  in_enum_order(),
              "k_task_result_words names every TaskResult once, in the enum's order");

} // namespace

int exit_code_for(const RunSummary& summary)
{
  if (summary.interrupted_by != 0) {
    return k_exit_signal_base + summary.interrupted_by;
  }
  const auto& tasks = summary.tasks;
  const bool any_failed = std::any_of(tasks.begin(), tasks.end(), [](const TaskOutcome& t) {
    return t.result != TaskResult::success && t.result != TaskResult::skipped;
  });
  if (any_failed) {
    return k_exit_task_failed;
  }
  // A task someone else runs is busy for a person who asked for it; for a
  // timer in cluster mode, another host running its slot is the design.
  const bool manual = summary.trigger == Trigger::manual;
  const bool all_locked =
      !tasks.empty() && std::all_of(tasks.begin(), tasks.end(), [&](const TaskOutcome& t) {
        return t.skip_reason == SkipReason::locked ||
               (manual && t.skip_reason == SkipReason::claimed);
      });
  return all_locked ? k_exit_busy : k_exit_ok;
}

std::string_view to_string(TaskResult result)
{
  const auto index = static_cast<std::size_t>(result);
  return index < k_task_result_words.size() ? k_task_result_words[index].second : "error";
}

std::optional<TaskResult> parse_task_result(std::string_view word)
{
  for (const auto& [result, name] : k_task_result_words) {
    if (name == word) {
      return result;
    }
  }
  return std::nullopt;
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
  case SkipReason::claimed:
    return "claimed";
  }
  return "";
}

std::string_view to_string(Trigger trigger)
{
  switch (trigger) {
  case Trigger::timer:
    return "timer";
  case Trigger::catch_up:
    return "catch-up";
  case Trigger::manual:
    return "manual";
  }
  return "timer";
}

} // namespace pt
