// SPDX-License-Identifier: MIT
// What a run asked for and what came of it, as data: the types every layer
// that reports a run shares (records, summary, metrics, progress), kept apart
// from the runner so that they compile without its seams.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace pt {

// What a task learns about the run it belongs to.
struct RunContext
{
  std::string run_id; // 32 lower-case hex digits
  std::string as_of;  // YYYY-MM-DD
  bool dry_run = false;
  std::string slot{}; // a scheduled run's slot, format_utc_timestamp(); empty for any other run
  std::optional<SlotTime> slot_time{}; // the same slot as a time; unset for any other run
};

// A contract: the TASK_RESULT journal field and the summary use these words.
// `error` stays last: result.cpp's table of words is checked against it.
enum class TaskResult { success, failed, timeout, killed, skipped, error };

// claimed: another host of the cluster holds the task, or has run the slot.
enum class SkipReason { none, locked, dry_run, interrupted, claimed };

// Who holds (or ran) a task's claim in cluster mode: enough to find the
// process and its run.
struct ClaimOwner
{
  std::string host;
  std::string boot_id;
  int pid = 0;
  std::string run_id;
};

// Where a task stands with the cluster's claims (cluster mode).
enum class ClaimState {
  none,        // not exclusive cluster-wide, or no cluster
  won,         // we claimed the slot (or took the task's lock) and ran it
  held,        // another run holds the task now: the slot stays due here
  done,        // another host finished the slot: it is done here too
  unavailable, // the claim store could not answer: not run, the slot stays due
  fenced,      // we stopped it when the claim could not be kept: the slot stays due
};

// TRIGGER: started by a timer with no task names, or for a slot that is due
// now (timer); for an older slot, or one the timer fired late for (catch_up);
// by a person naming tasks (manual).
enum class Trigger { timer, catch_up, manual };

struct TaskOutcome
{
  std::string name;
  TaskKind kind = TaskKind::command;
  TaskResult result = TaskResult::skipped;
  SkipReason skip_reason = SkipReason::none;
  std::optional<int> exit_status;
  int signal = 0;
  bool core_dumped = false;
  long holder_pid = 0;
  std::string detail;               // one line: what happened, for people
  std::int64_t started_at_usec = 0; // wall clock when the task's turn came, since the epoch
  std::int64_t duration_usec = 0;
  std::uint64_t output_bytes = 0;
  std::uint64_t suppressed_bytes = 0;
  std::vector<std::string> output_tail;
  // Cluster mode
  ClaimState claim = ClaimState::none;
  std::optional<ClaimOwner> owner; // held or done: who holds the task or ran the slot
  int claim_attempt = 0;           // won a slot: 1, or n+1 after n holders lost it
  int attempts = 0;                // how many times it was started (retries + 1 at most)
  bool retryable = false;          // this failure is worth another attempt
  // SQL tasks
  std::string database;
  std::string server; // host, port, dbname, user: never a password
  std::optional<std::int64_t> rows_affected;
  std::int64_t rows_returned = 0;
  std::string sqlstate;
  std::string db_error;
  std::string db_detail;
  std::string db_hint;
  int failed_statement = 0; // 1-based index of the statement that failed, 0 if none
  std::string db_context;   // where inside a function it failed (PG_DIAG_CONTEXT)
};

// What systemd says about a timer's firing ($TRIGGER_TIMER_REALTIME_USEC and
// _MONOTONIC_USEC), logged as given and never used to pick a slot: it is the
// firing time after the random delay; empty when not set.
struct TimerFiring
{
  std::string realtime_usec;
  std::string monotonic_usec;
};

struct RunRequest
{
  std::vector<const Task*> tasks;
  RunContext context;
  Trigger trigger = Trigger::timer;
  TimerFiring firing{};
};

struct RunSummary
{
  RunContext context;
  Trigger trigger = Trigger::timer;
  std::int64_t started_at_usec = 0; // wall clock, since the epoch
  std::int64_t duration_usec = 0;
  int interrupted_by = 0;         // signal number, 0 if not interrupted
  std::vector<TaskOutcome> tasks; // one per selected task, in run order
};

// Returns the process exit code for `summary`: 0, 1, 75, or 128 + the signal that interrupted it.
int exit_code_for(const RunSummary& summary);

// Returns "success", "failed", ... (the TASK_RESULT vocabulary).
std::string_view to_string(TaskResult result);
// Returns the TaskResult that `word` names (to_string's inverse), or none for
// any other text.
std::optional<TaskResult> parse_task_result(std::string_view word);
// Returns "locked", "dry-run", ... (the SKIP_REASON vocabulary), "" for none.
std::string_view to_string(SkipReason reason);
// Returns "timer", "catch-up" or "manual" (the TRIGGER vocabulary).
std::string_view to_string(Trigger trigger);

} // namespace pt
