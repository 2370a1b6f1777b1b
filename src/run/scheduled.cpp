// SPDX-License-Identifier: MIT
#include "run/scheduled.hpp"

#include <algorithm>

#include "run/context.hpp"
#include "schedule/timestamp.hpp"

namespace pt {

namespace {

// Returns the zone of the expression of `task` that elapses at `slot`.
std::string zone_of(const Task& task, SlotTime slot)
{
  const CalendarSpec* found = &task.schedule.front().spec;
  for (const auto& schedule : task.schedule) {
    if (last_elapse(schedule.spec, slot) == slot) {
      found = &schedule.spec;
      break;
    }
  }
  return found->zone.empty() ? std::string("UTC") : found->zone;
}

Trigger trigger_of(const Slot& slot)
{
  switch (slot.kind) {
  case SlotKind::due_now:
    return Trigger::timer;
  case SlotKind::missed:
    return Trigger::catch_up;
  }
  return Trigger::catch_up;
}

} // namespace

Duration due_tolerance(const Task& task)
{
  return timer_accuracy(task) + task.randomized_delay + k_start_grace;
}

SlotRequest slot_request(const Task& task)
{
  SlotRequest request;
  for (const auto& schedule : task.schedule) {
    request.specs.push_back(schedule.spec);
  }
  request.catch_up = task.catch_up;
  request.window = task.catch_up_window;
  request.tolerance = due_tolerance(task);
  return request;
}

RunContext slot_context(const Task& task, SlotTime slot, std::string run_id)
{
  RunContext context;
  context.run_id = std::move(run_id);
  context.slot = format_utc_timestamp(slot);
  context.slot_time = slot;
  // The zone was checked when the config was loaded; a zone file removed
  // since falls back to the UTC date.
  auto date = local_date(slot, zone_of(task, slot));
  context.as_of = date ? *date : context.slot.substr(0, 10);
  return context;
}

bool completes_slot(const RunSummary& summary)
{
  if (summary.tasks.empty()) {
    return false;
  }
  const TaskOutcome& outcome = summary.tasks.front();
  switch (outcome.claim) {
  case ClaimState::held:        // another run holds it: ask again at the next wake
  case ClaimState::unavailable: // the cluster could not be asked: it never ran
  case ClaimState::fenced:      // stopped by us, as by a signal: a later wake takes it over
  case ClaimState::unrecorded:  // not done in the cluster: a later wake takes it over
    return false;
  case ClaimState::done: // another host ran it
    return true;
  case ClaimState::none:
  case ClaimState::won:
    break;
  }
  if (summary.interrupted_by != 0 && outcome.result != TaskResult::success) {
    return false; // stopped by us being stopped: the slot is still to run
  }
  switch (outcome.result) {
  case TaskResult::success:
  case TaskResult::failed:
  case TaskResult::timeout:
  case TaskResult::killed:
  case TaskResult::error:
    return true;
  case TaskResult::skipped:
    return false;
  }
  return false;
}

ScheduledRuns run_slots(const Settings& settings, const Task& task, const SlotPlan& plan,
                        SlotStore& store, RunnerDeps& deps, const TimerFiring& firing,
                        const std::function<std::string()>& new_id)
{
  ScheduledRuns result;
  for (const Slot& slot : plan.slots) {
    RunRequest request{{&task}, slot_context(task, slot.time, new_id()), trigger_of(slot), firing};
    result.runs.push_back(run_tasks(settings, request, deps));
    const RunSummary& summary = result.runs.back();
    if (!completes_slot(summary)) {
      // The slot stays due (its lock was held, here or in the cluster; the
      // cluster could not be asked; we were stopped), and the state is a
      // watermark, done through a slot: a later slot marked done would pass
      // over this one, and no wake of this host would ask for it again. The
      // next wake starts from it.
      return result;
    }
    if (auto saved = store.save(task.name, {plan.schedule, slot.time}); !saved) {
      result.state_error = saved.error();
      return result;
    }
    if (summary.interrupted_by != 0) {
      return result;
    }
  }
  return result;
}

int exit_code_for(const std::vector<RunSummary>& runs)
{
  int code = k_exit_ok;
  for (const auto& summary : runs) {
    const int one = exit_code_for(summary);
    if (summary.interrupted_by != 0) {
      return one;
    }
    if (one == k_exit_task_failed || (one == k_exit_busy && code == k_exit_ok)) {
      code = one;
    }
  }
  return code;
}

} // namespace pt
