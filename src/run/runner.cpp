// SPDX-License-Identifier: MIT
#include "run/runner.hpp"

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "journal/records.hpp"
#include "postgres/cluster_schema.hpp"
#include "run/outcome.hpp"
#include "run/output_capture.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

// What a run's command tasks reuse from one task to the next: the spec, whose
// environment is patched rather than rebuilt, and the entries all tasks share.
struct CommandScratch
{
  std::vector<std::string> base_env;
  ProcessSpec spec;
};

// One attempt of a command task: spawn, stream output, wait, clean up.
TaskOutcome run_command_attempt(const Settings& settings, const Task& task,
                                const RunRequest& request, RunnerDeps& deps, const ClaimHold* hold,
                                CommandScratch& scratch)
{
  if (scratch.base_env.empty()) {
    scratch.base_env = base_environment(deps.identity);
  }
  ProcessSpec& spec = scratch.spec;
  spec.argv = command_argv(task, request.context.dry_run);
  task_environment(task, scratch.base_env, request.context, spec.env);
  spec.working_directory = task.working_directory;
  spec.timeout = task.timeout;
  spec.kill_timeout = task.kill_timeout;
  spec.fence_fd = hold != nullptr ? hold->fence_fd() : -1;

  OutputCapture capture(deps.log, task_fields(task, request), settings.output_limit);
  const ProcessResult result = deps.processes.run(spec, capture);
  capture.finish();
  return outcome_from_process(result, task, capture);
}

// Returns the value of run-context parameter `name` (one of k_param_names):
// text, or NULL for the slot of a run that has none.
std::optional<std::string> param_value(const std::string& name, const Task& task,
                                       const RunContext& context)
{
  if (name == "slot") {
    return context.slot.empty() ? std::nullopt : std::optional<std::string>(context.slot);
  }
  if (name == "as_of") {
    return context.as_of;
  }
  if (name == "run_id") {
    return context.run_id;
  }
  if (name == "dry_run") {
    return context.dry_run ? "true" : "false";
  }
  return task.name;
}

SqlRequest sql_request(const Task& task, const RunContext& context)
{
  SqlRequest request;
  request.database = task.database;
  request.statements = task.sql;
  for (const auto& name : task.params) {
    request.params.push_back(param_value(name, task, context));
  }
  request.settings = {{"periodic_tasks.as_of", context.as_of},
                      {"periodic_tasks.run_id", context.run_id},
                      {"periodic_tasks.task", task.name},
                      {"periodic_tasks.dry_run", context.dry_run ? "true" : "false"},
                      {"periodic_tasks.slot", context.slot}};
  request.application_name =
      fmt::format("periodic_tasks {} {}", task.name, context.run_id.substr(0, 8));
  request.timeout = task.timeout;
  request.rollback = context.dry_run;
  return request;
}

// Returns whether the done mark of `hold` goes into the task's own
// transaction: a scheduled slot's claim, and the task's database is the
// cluster's (the mark must commit where the effects do).
bool marks_done_in_sql(const Task& task, const ClaimHold* hold, const RunnerDeps& deps)
{
  return hold != nullptr && hold->scheduled() && task.kind == TaskKind::sql &&
         deps.cluster != nullptr && task.database == deps.cluster->settings().database;
}

// One attempt of a SQL task: one transaction on the run's connection.
TaskOutcome run_sql_attempt(const Settings& settings, const Task& task, const RunRequest& request,
                            RunnerDeps& deps, const ClaimHold* hold)
{
  SqlRequest sql = sql_request(task, request.context);
  sql.fence_fd = hold != nullptr ? hold->fence_fd() : -1;
  if (hold != nullptr && marks_done_in_sql(task, hold, deps)) {
    sql.final_statement =
        SqlRequest::Final{std::string(cluster_done_mark_sql()),
                          {task.name, request.context.slot, std::to_string(hold->attempt()),
                           std::string(to_string(TaskResult::success))}};
  }
  const SqlResult result = deps.sql.run(sql);
  OutputCapture capture(deps.log, task_fields(task, request), settings.output_limit);
  write_sql_preview(result, capture);
  capture.finish();
  return outcome_from_sql(result, task, capture, request.context.dry_run);
}

// Returns the wait before retry number `retry` (1-based): retry_delay, doubling each time.
Duration retry_wait(const Task& task, int retry)
{
  Duration wait = task.retry_delay;
  for (int i = 1; i < retry && wait < std::chrono::hours(24); ++i) {
    wait *= 2;
  }
  return wait;
}

// One attempt of `task`, whatever its kind.
TaskOutcome run_attempt(const Settings& settings, const Task& task, const RunRequest& request,
                        RunnerDeps& deps, const ClaimHold* hold, CommandScratch& scratch)
{
  switch (task.kind) {
  case TaskKind::command:
    return run_command_attempt(settings, task, request, deps, hold, scratch);
  case TaskKind::sql:
    return run_sql_attempt(settings, task, request, deps, hold);
  }
  return run_command_attempt(settings, task, request, deps, hold, scratch);
}

// Returns whether a dry run of `task` starts nothing: a command without
// dry_run_args. A SQL task runs, and its transaction is rolled back.
bool dry_run_starts_nothing(const Task& task)
{
  switch (task.kind) {
  case TaskKind::command:
    return !task.dry_run_args;
  case TaskKind::sql:
    return false;
  }
  return true;
}

// Runs one task that holds its lock, with its retries; the result is data, never an exception.
TaskOutcome run_locked(const Settings& settings, const Task& task, const RunRequest& request,
                       RunnerDeps& deps, std::size_t position, const ClaimHold* hold,
                       CommandScratch& scratch)
{
  const bool dry_run = request.context.dry_run;
  if (dry_run && dry_run_starts_nothing(task)) {
    return skipped_outcome(task, SkipReason::dry_run,
                           fmt::format("dry run, and the task has no dry_run_args; would run: {}",
                                       quote_argv(command_argv(task, dry_run))));
  }
  emit_task_started(deps.log, task, request, position);
  TaskOutcome outcome;
  for (int attempt = 1;; ++attempt) {
    outcome = run_attempt(settings, task, request, deps, hold, scratch);
    outcome.attempts = attempt;
    const bool fenced = hold != nullptr && !hold->fence_reason().empty();
    if (!outcome.retryable || attempt > task.retries || deps.stop.stop_signal() != 0 || fenced) {
      return outcome;
    }
    const Duration wait = retry_wait(task, attempt);
    emit_task_retry(deps.log, task, outcome, task_fields(task, request), wait);
    if (!deps.delay.wait(wait)) {
      return outcome; // stopped while waiting: the last attempt's result stands
    }
  }
}

// Runs `task` under the cluster's claim of its slot (or its cluster-wide
// lock), unless another run has it.
TaskOutcome run_claimed(const Settings& settings, const Task& task, const RunRequest& request,
                        RunnerDeps& deps, std::size_t position, CommandScratch& scratch)
{
  if (request.context.dry_run && dry_run_starts_nothing(task)) {
    return run_locked(settings, task, request, deps, position, nullptr,
                      scratch); // nothing to claim
  }
  auto acquired = deps.cluster->acquire(task, request.context);
  if (auto* outcome = std::get_if<TaskOutcome>(&acquired)) {
    return std::move(*outcome);
  }
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  TaskOutcome outcome = run_locked(settings, task, request, deps, position, &hold, scratch);
  const bool marked = marks_done_in_sql(task, &hold, deps) && outcome.result == TaskResult::success;
  deps.cluster->finish(hold, outcome, marked, deps.stop.stop_signal() != 0);
  return outcome;
}

TaskOutcome run_one(const Settings& settings, const Task& task, const RunRequest& request,
                    RunnerDeps& deps, std::size_t position, CommandScratch& scratch)
{
  if (task.exclusive == Exclusive::none) {
    return run_locked(settings, task, request, deps, position, nullptr, scratch);
  }
  auto lock = deps.locks.acquire(task.name);
  if (!lock) {
    const LockFailure& failure = lock.error();
    if (failure.kind == LockFailure::Kind::held) {
      TaskOutcome outcome = skipped_outcome(
          task, SkipReason::locked,
          failure.holder_pid != 0 ? fmt::format("already running (pid {})", failure.holder_pid)
                                  : std::string("already running"));
      outcome.holder_pid = failure.holder_pid;
      return outcome;
    }
    TaskOutcome outcome = skipped_outcome(task, SkipReason::none, failure.message);
    outcome.result = TaskResult::error;
    return outcome;
  }
  if (task.exclusive == Exclusive::cluster && deps.cluster != nullptr) {
    return run_claimed(settings, task, request, deps, position, scratch);
  }
  return run_locked(settings, task, request, deps, position, nullptr, scratch);
}

} // namespace

RunSummary run_tasks(const Settings& settings, const RunRequest& request, RunnerDeps& deps)
{
  RunSummary summary;
  summary.context = request.context;
  summary.trigger = request.trigger;
  summary.started_at_usec =
      duration_cast<microseconds>(deps.clock.wall().time_since_epoch()).count();
  const auto start = deps.clock.monotonic();

  // 1. Say what is about to happen, so a run that dies still left a trace.
  emit_run_started(deps.log, request);

  // 2. Each task in turn; after a stop request, record the rest as not run.
  std::size_t position = 0;
  CommandScratch scratch;
  for (const Task* task : request.tasks) {
    ++position;
    const auto task_started = deps.clock.wall();
    TaskOutcome outcome;
    if (deps.stop.stop_signal() != 0) {
      outcome =
          skipped_outcome(*task, SkipReason::interrupted, "run interrupted before it started");
    } else {
      outcome = run_one(settings, *task, request, deps, position, scratch);
    }
    outcome.started_at_usec = duration_cast<microseconds>(task_started.time_since_epoch()).count();
    emit_task_finished(deps.log, *task, outcome, task_fields(*task, request));
    summary.tasks.push_back(std::move(outcome));
  }

  // 3. Close the run with totals that match the exit code.
  summary.interrupted_by = deps.stop.stop_signal();
  summary.duration_usec = duration_cast<microseconds>(deps.clock.monotonic() - start).count();
  emit_run_finished(deps.log, request, summary);
  return summary;
}

} // namespace pt
