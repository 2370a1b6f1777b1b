// SPDX-License-Identifier: MIT
// `run --scheduled TASK`: a scheduled task's slots, each run as a run of its
// own and marked done in the host state when it completes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "run/result.hpp"
#include "run/runner.hpp"
#include "run/slot_state.hpp"
#include "schedule/slots.hpp"

namespace pt {

// How long after its slot a firing still counts as on time, on top of the
// timer's AccuracySec= and RandomizedDelaySec=: the start of the service.
inline constexpr Duration k_start_grace = std::chrono::minutes(1);

// Returns how late a firing of `task` may be and still be "due now":
// timer_accuracy() + randomized_delay + k_start_grace, the latest systemd
// starts the service for a slot when the machine was up.
Duration due_tolerance(const Task& task);

// Returns what plan_slots() needs to know of a scheduled `task`.
SlotRequest slot_request(const Task& task);

// Returns the context of the run of `slot` of `task`: `run_id`, the slot in
// UTC, and as_of the slot's date in the zone of the expression it is an
// elapse of.
RunContext slot_context(const Task& task, SlotTime slot, std::string run_id);

// Returns whether a run that ended with `summary` completed its slot: the
// task ran to an end (succeeded, failed, timed out, was killed or could not
// start), not skipped (lock held) and not stopped by a signal sent to us;
// in cluster mode also when another host ran it, and never when another run
// holds the task or the cluster could not be asked (the next wake asks again).
bool completes_slot(const RunSummary& summary);

// What came of the slot runs: one summary per run, in order, and an error
// when a completed slot could not be marked done (the run then stops).
struct ScheduledRuns
{
  std::vector<RunSummary> runs;
  std::string state_error;
};

// Runs `task` once per slot of `plan`, oldest first, each with its own run id
// (from `new_id`), saving the state after each completed slot. Stops after a
// run that was interrupted or skipped because the lock is held.
ScheduledRuns run_slots(const Settings& settings, const Task& task, const SlotPlan& plan,
                        SlotStore& store, RunnerDeps& deps, const TimerFiring& firing,
                        const std::function<std::string()>& new_id);

// Returns the exit code of a scheduled run: that of an interrupted run, else
// 1 if a slot's run failed, else 75 if one was skipped for the lock, else 0.
int exit_code_for(const std::vector<RunSummary>& runs);

} // namespace pt
