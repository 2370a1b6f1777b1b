// SPDX-License-Identifier: MIT
// Runs the selected tasks in turn; every outcome becomes a TaskOutcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "journal/event_log.hpp"
#include "postgres/sql.hpp"
#include "process/process.hpp"
#include "process/signals.hpp"
#include "run/clock.hpp"
#include "run/environment.hpp"
#include "run/task_lock.hpp"

namespace pt {

// A contract: the TASK_RESULT journal field and the summary use these words.
enum class TaskResult { success, failed, timeout, killed, skipped, error };

enum class SkipReason { none, locked, dry_run, interrupted };

enum class Trigger { timer, manual };

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
  int attempts = 0;       // how many times it was started (retries + 1 at most)
  bool retryable = false; // this failure is worth another attempt
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

struct RunRequest
{
  std::vector<const Task*> tasks;
  RunContext context;
  Trigger trigger = Trigger::timer;
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

// The collaborators a run needs; app/app.cpp builds the real ones, tests the fakes.
struct RunnerDeps
{
  ProcessRunner& processes;
  SqlExecutor& sql;
  EventLog& log;
  TaskLocks& locks;
  const Clock& clock;
  const StopSource& stop;
  Delay& delay;
  Identity identity;
};

// Runs `request` against `settings`; never throws for anything a task does.
RunSummary run_tasks(const Settings& settings, const RunRequest& request, RunnerDeps& deps);

// Returns the process exit code for `summary` (0, 1, 75, 130 or 143).
int exit_code_for(const RunSummary& summary);

// Returns "success", "failed", ... (the TASK_RESULT vocabulary).
std::string_view to_string(TaskResult result);
std::string_view to_string(SkipReason reason);
std::string_view to_string(Trigger trigger);
std::string_view to_string(TaskKind kind);

} // namespace pt
