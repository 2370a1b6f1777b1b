// SPDX-License-Identifier: MIT
#include "runner.hpp"

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "output_capture.hpp"
#include "text.hpp"

namespace pt {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

// Everything a task's records share.
std::vector<Field> task_fields(const Task& task, const RunRequest& request)
{
  return {
      {"TASK", task.name},
      {"TASK_KIND", "command"},
      {"RUN_ID", request.context.run_id},
      {"AS_OF", request.context.as_of},
      {"DRY_RUN", request.context.dry_run ? "1" : "0"},
      {"TRIGGER", std::string(to_string(request.trigger))},
  };
}

std::vector<Field> run_fields(const RunRequest& request)
{
  return {
      {"RUN_ID", request.context.run_id},
      {"AS_OF", request.context.as_of},
      {"DRY_RUN", request.context.dry_run ? "1" : "0"},
      {"TRIGGER", std::string(to_string(request.trigger))},
  };
}

std::string_view finish_message_id(const TaskOutcome& outcome)
{
  switch (outcome.result) {
  case TaskResult::success: return message_id::task_succeeded;
  case TaskResult::failed: return message_id::task_failed;
  case TaskResult::timeout: return message_id::task_timed_out;
  case TaskResult::killed: return message_id::task_killed;
  case TaskResult::skipped: return message_id::task_skipped;
  case TaskResult::error: return message_id::task_error;
  }
  return {};
}

Priority finish_priority(TaskResult result)
{
  switch (result) {
  case TaskResult::success: return Priority::info;
  case TaskResult::skipped: return Priority::notice;
  default: return Priority::err;
  }
}

std::string finish_message(const Task& task, const TaskOutcome& outcome)
{
  const std::string name = fmt::format("task \"{}\"", task.name);
  switch (outcome.result) {
  case TaskResult::success:
    return fmt::format("{} succeeded in {}", name, format_seconds(outcome.duration_usec));
  case TaskResult::skipped: return fmt::format("{} skipped: {}", name, outcome.detail);
  case TaskResult::error: return fmt::format("{} could not start: {}", name, outcome.detail);
  default: return fmt::format("{} {}", name, outcome.detail);
  }
}

void emit_finish(EventLog& log, const Task& task, const TaskOutcome& outcome,
                 std::vector<Field> fields)
{
  Record record;
  record.priority = finish_priority(outcome.result);
  record.message = finish_message(task, outcome);
  record.message_id = finish_message_id(outcome);
  record.fields = std::move(fields);
  auto add = [&](const char* name, std::string value) {
    record.fields.push_back({name, std::move(value)});
  };
  add("TASK_RESULT", std::string(to_string(outcome.result)));
  if (outcome.exit_status) {
    add("EXIT_STATUS", std::to_string(*outcome.exit_status));
  }
  if (outcome.signal != 0) {
    add("SIGNAL", signal_name(outcome.signal));
    add("CORE_DUMPED", outcome.core_dumped ? "1" : "0");
  }
  if (outcome.skip_reason != SkipReason::none) {
    add("SKIP_REASON", std::string(to_string(outcome.skip_reason)));
  }
  if (outcome.holder_pid != 0) {
    add("HOLDER_PID", std::to_string(outcome.holder_pid));
  }
  if (outcome.result == TaskResult::error) {
    add("TASK_ERROR", outcome.detail);
  }
  add("DURATION_USEC", std::to_string(outcome.duration_usec));
  add("OUTPUT_BYTES", std::to_string(outcome.output_bytes));
  log.emit(record);
}

std::string describe_process_end(const ProcessResult& result, const Task& task)
{
  std::string text;
  switch (result.kind) {
  case ExitKind::exited: text = fmt::format("failed: exit status {}", result.exit_status); break;
  case ExitKind::signaled:
    text = fmt::format("killed by signal {}{}", signal_name(result.signal),
                       result.core_dumped ? " (core dumped)" : "");
    break;
  case ExitKind::timed_out:
    text = fmt::format("timed out after {}", format_timespan(task.timeout));
    if (result.escalated_to_kill) {
      text += fmt::format(" (ignored SIGTERM, killed after {})", format_timespan(task.kill_timeout));
    }
    break;
  case ExitKind::interrupted:
    text = fmt::format("stopped by {} to the runner", signal_name(result.signal));
    break;
  case ExitKind::start_failed: text = result.error; break;
  }
  if (result.leftover_processes > 0) {
    text += fmt::format("; killed {} leftover process{}", result.leftover_processes,
                        result.leftover_processes == 1 ? "" : "es");
  }
  return text;
}

TaskResult classify(const ProcessResult& result, const Task& task)
{
  switch (result.kind) {
  case ExitKind::exited: {
    const auto& ok = task.success_exit_codes;
    const bool success = std::find(ok.begin(), ok.end(), result.exit_status) != ok.end();
    return success ? TaskResult::success : TaskResult::failed;
  }
  case ExitKind::signaled: return TaskResult::killed;
  case ExitKind::timed_out: return TaskResult::timeout;
  case ExitKind::interrupted: return TaskResult::killed;
  case ExitKind::start_failed: return TaskResult::error;
  }
  return TaskResult::error;
}

TaskOutcome outcome_from(const ProcessResult& result, const Task& task, const OutputCapture& capture)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.result = classify(result, task);
  if (result.kind == ExitKind::exited) {
    outcome.exit_status = result.exit_status;
  }
  outcome.signal = result.signal;
  outcome.core_dumped = result.core_dumped;
  outcome.duration_usec = duration_cast<microseconds>(result.duration).count();
  outcome.detail = outcome.result == TaskResult::success
                       ? fmt::format("exit status {}", result.exit_status)
                       : describe_process_end(result, task);
  if (outcome.result == TaskResult::success && result.leftover_processes > 0) {
    outcome.detail += fmt::format("; killed {} leftover process{}", result.leftover_processes,
                                  result.leftover_processes == 1 ? "" : "es");
  }
  outcome.output_bytes = capture.total_bytes();
  outcome.suppressed_bytes = capture.suppressed_bytes();
  outcome.output_tail = capture.tail();
  return outcome;
}

TaskOutcome skipped(const Task& task, SkipReason reason, std::string detail)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.result = TaskResult::skipped;
  outcome.skip_reason = reason;
  outcome.detail = std::move(detail);
  return outcome;
}

std::vector<std::string> task_argv(const Task& task, bool dry_run)
{
  std::vector<std::string> argv = task.command;
  if (dry_run && task.dry_run_args) {
    argv.insert(argv.end(), task.dry_run_args->begin(), task.dry_run_args->end());
  }
  return argv;
}

void emit_start(EventLog& log, const Task& task, const std::vector<std::string>& argv,
                std::vector<Field> fields, std::size_t position, std::size_t count)
{
  Record record;
  record.priority = Priority::info;
  record.message = fmt::format("task \"{}\" started ({}/{}): {}", task.name, position, count,
                               quote_argv(argv));
  record.message_id = message_id::task_started;
  record.fields = std::move(fields);
  record.fields.push_back({"COMMAND", quote_argv(argv)});
  record.fields.push_back({"TASK_POSITION", fmt::format("{}/{}", position, count)});
  log.emit(record);
}

// Runs one task that holds its lock; the result is data, never an exception.
TaskOutcome run_locked(const Settings& settings, const Task& task, const RunRequest& request,
                       RunnerDeps& deps, std::size_t position)
{
  const bool dry_run = request.context.dry_run;
  const auto argv = task_argv(task, dry_run);
  if (dry_run && !task.dry_run_args) {
    return skipped(task, SkipReason::dry_run,
                   fmt::format("dry run, and the task has no dry_run_args; would run: {}",
                               quote_argv(argv)));
  }
  emit_start(deps.log, task, argv, task_fields(task, request), position, request.tasks.size());

  ProcessSpec spec;
  spec.argv = argv;
  spec.env = task_environment(task, deps.identity, request.context);
  spec.working_directory = task.working_directory;
  spec.timeout = task.timeout;
  spec.kill_timeout = task.kill_timeout;

  OutputCapture capture(deps.log, task_fields(task, request), settings.output_limit);
  const ProcessResult result = deps.processes.run(spec, capture);
  capture.finish();
  return outcome_from(result, task, capture);
}

TaskOutcome run_one(const Settings& settings, const Task& task, const RunRequest& request,
                    RunnerDeps& deps, std::size_t position)
{
  auto lock = deps.locks.acquire(task.name);
  if (!lock) {
    const LockFailure& failure = lock.error();
    if (failure.kind == LockFailure::Kind::held) {
      TaskOutcome outcome = skipped(task, SkipReason::locked,
                                    failure.holder_pid != 0
                                        ? fmt::format("already running (pid {})", failure.holder_pid)
                                        : std::string("already running"));
      outcome.holder_pid = failure.holder_pid;
      return outcome;
    }
    TaskOutcome outcome = skipped(task, SkipReason::none, failure.message);
    outcome.result = TaskResult::error;
    return outcome;
  }
  return run_locked(settings, task, request, deps, position);
}

void emit_run_started(EventLog& log, const RunRequest& request)
{
  Record record;
  record.message = fmt::format("run started: {} task{}, as of {}{}{}", request.tasks.size(),
                               request.tasks.size() == 1 ? "" : "s", request.context.as_of,
                               request.context.dry_run ? ", dry run" : "",
                               request.trigger == Trigger::manual ? ", manual" : "");
  record.message_id = message_id::run_started;
  record.fields = run_fields(request);
  record.fields.push_back({"TASK_COUNT", std::to_string(request.tasks.size())});
  log.emit(record);
}

std::string count_results(const RunSummary& summary)
{
  std::vector<std::string> parts;
  for (const auto result : {TaskResult::success, TaskResult::failed, TaskResult::timeout,
                            TaskResult::killed, TaskResult::error, TaskResult::skipped}) {
    const auto n = std::count_if(summary.tasks.begin(), summary.tasks.end(),
                                 [&](const TaskOutcome& t) { return t.result == result; });
    if (n > 0) {
      parts.push_back(fmt::format("{} {}", n, to_string(result)));
    }
  }
  return parts.empty() ? std::string("nothing to run") : join(parts);
}

void emit_run_finished(EventLog& log, const RunRequest& request, const RunSummary& summary)
{
  Record record;
  const int code = exit_code_for(summary);
  record.priority = code == 0 || code == 75 ? Priority::info : Priority::err;
  record.fields = run_fields(request);
  if (summary.interrupted_by != 0) {
    std::vector<std::string> not_run;
    for (const auto& task : summary.tasks) {
      if (task.skip_reason == SkipReason::interrupted) {
        not_run.push_back(task.name);
      }
    }
    record.message_id = message_id::run_interrupted;
    record.message = fmt::format("run interrupted by {}: {}; not run: {}",
                                 signal_name(summary.interrupted_by), count_results(summary),
                                 not_run.empty() ? std::string("none") : join(not_run));
    record.fields.push_back({"SIGNAL", signal_name(summary.interrupted_by)});
    record.fields.push_back({"NOT_RUN", join(not_run, " ")});
  } else {
    record.message_id = message_id::run_finished;
    record.message = fmt::format("run finished in {}: {}", format_seconds(summary.duration_usec),
                                 count_results(summary));
  }
  record.fields.push_back({"DURATION_USEC", std::to_string(summary.duration_usec)});
  record.fields.push_back({"EXIT_STATUS", std::to_string(code)});
  log.emit(record);
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
  for (const Task* task : request.tasks) {
    ++position;
    TaskOutcome outcome;
    if (deps.stop.stop_signal() != 0) {
      outcome = skipped(*task, SkipReason::interrupted, "run interrupted before it started");
    } else {
      outcome = run_one(settings, *task, request, deps, position);
    }
    emit_finish(deps.log, *task, outcome, task_fields(*task, request));
    summary.tasks.push_back(std::move(outcome));
  }

  // 3. Close the run with totals that match the exit code.
  summary.interrupted_by = deps.stop.stop_signal();
  summary.duration_usec = duration_cast<microseconds>(deps.clock.monotonic() - start).count();
  emit_run_finished(deps.log, request, summary);
  return summary;
}

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
  const bool all_locked = !tasks.empty() && std::all_of(tasks.begin(), tasks.end(), [](const TaskOutcome& t) {
    return t.skip_reason == SkipReason::locked;
  });
  return all_locked ? k_exit_busy : k_exit_ok;
}

std::string_view to_string(TaskResult result)
{
  switch (result) {
  case TaskResult::success: return "success";
  case TaskResult::failed: return "failed";
  case TaskResult::timeout: return "timeout";
  case TaskResult::killed: return "killed";
  case TaskResult::skipped: return "skipped";
  case TaskResult::error: return "error";
  }
  return "error";
}

std::string_view to_string(SkipReason reason)
{
  switch (reason) {
  case SkipReason::none: return "";
  case SkipReason::locked: return "locked";
  case SkipReason::dry_run: return "dry-run";
  case SkipReason::interrupted: return "interrupted";
  }
  return "";
}

std::string_view to_string(Trigger trigger)
{
  return trigger == Trigger::manual ? "manual" : "timer";
}

} // namespace pt
