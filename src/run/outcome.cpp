// SPDX-License-Identifier: MIT
#include "run/outcome.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.hpp"

namespace pt {

namespace {

std::string describe_process_end(const ProcessResult& result, const Task& task)
{
  std::string text;
  switch (result.kind) {
  case ExitKind::exited:
    text = fmt::format("failed: exit status {}", result.exit_status);
    break;
  case ExitKind::signaled:
    text = fmt::format("killed by signal {}{}", signal_name(result.signal),
                       result.core_dumped ? " (core dumped)" : "");
    break;
  case ExitKind::timed_out:
    text = fmt::format("timed out after {}", format_timespan(task.timeout));
    // format_timespan(0) is systemd's bare "0"; a sentence needs words instead.
    if (result.escalated_to_kill && task.kill_timeout == Duration::zero()) {
      text += " (still running after SIGTERM, killed at once: kill_timeout is 0)";
    } else if (result.escalated_to_kill) {
      text += fmt::format(" (still running after SIGTERM, killed after {})",
                          format_timespan(task.kill_timeout));
    }
    break;
  case ExitKind::interrupted:
    text = fmt::format("stopped by {} to the runner", signal_name(result.signal));
    break;
  case ExitKind::fenced:
    text = "fenced: stopped, this host no longer holds the task's cluster claim";
    if (result.escalated_to_kill) {
      text += fmt::format(" (still running after SIGTERM, killed after {})",
                          format_timespan(task.kill_timeout));
    }
    break;
  case ExitKind::start_failed:
    text = result.error;
    break;
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
  case ExitKind::signaled:
    return TaskResult::killed;
  case ExitKind::timed_out:
    return TaskResult::timeout;
  case ExitKind::interrupted:
  case ExitKind::fenced:
    return TaskResult::killed;
  case ExitKind::start_failed:
    return TaskResult::error;
  }
  return TaskResult::error;
}

TaskResult classify_sql(SqlOutcome outcome)
{
  switch (outcome) {
  case SqlOutcome::success:
    return TaskResult::success;
  case SqlOutcome::sql_error:
    return TaskResult::failed;
  case SqlOutcome::timeout:
    return TaskResult::timeout;
  case SqlOutcome::connection_failed:
  case SqlOutcome::refused:
    return TaskResult::error;
  case SqlOutcome::interrupted:
    return TaskResult::killed;
  }
  return TaskResult::error;
}

std::string sql_error_text(const SqlResult& result, const Task& task)
{
  std::string text = result.sqlstate.empty()
                         ? result.message
                         : fmt::format("SQLSTATE {}: {}", result.sqlstate, result.message);
  if (result.failed_statement > 0 && task.sql.size() > 1) {
    text = fmt::format("statement {} of {}: {}", result.failed_statement, task.sql.size(), text);
  }
  if (!result.detail.empty()) {
    text += fmt::format(" (detail: {})", result.detail);
  }
  return text;
}

std::string describe_sql_end(const SqlResult& result, const Task& task, bool dry_run)
{
  switch (result.outcome) {
  case SqlOutcome::success:
    // A function that changes rows and returns them ("SELECT * FROM release(...)")
    // affects none as far as the server's command tag says: show both counts.
    return fmt::format(
        "{} row{} affected{}{}", result.rows_affected, result.rows_affected == 1 ? "" : "s",
        result.rows_returned > 0 ? fmt::format(", {} row{} returned", result.rows_returned,
                                               result.rows_returned == 1 ? "" : "s")
                                 : std::string(),
        dry_run ? ", rolled back (dry run)" : "");
  case SqlOutcome::sql_error:
    return fmt::format("failed: {}", sql_error_text(result, task));
  case SqlOutcome::timeout:
    return fmt::format("timed out after {}{}", format_timespan(task.timeout),
                       result.sqlstate.empty() ? ""
                                               : fmt::format(" (SQLSTATE {})", result.sqlstate));
  case SqlOutcome::connection_failed:
    return result.message;
  case SqlOutcome::interrupted:
    return fmt::format("stopped by {} to the runner; cancelled and rolled back",
                       signal_name(result.signal));
  case SqlOutcome::refused:
    return sql_error_text(result, task);
  }
  return result.message;
}

} // namespace

using std::chrono::duration_cast;
using std::chrono::microseconds;

TaskOutcome outcome_from_process(const ProcessResult& result, const Task& task,
                                 const OutputCapture& capture)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.kind = task.kind;
  outcome.result = classify(result, task);
  if (result.kind == ExitKind::exited) {
    outcome.exit_status = result.exit_status;
    const auto& retry = task.retry_exit_codes;
    outcome.retryable = outcome.result == TaskResult::failed &&
                        std::find(retry.begin(), retry.end(), result.exit_status) != retry.end();
  }
  if (result.kind == ExitKind::fenced) { // ClusterClaims::finish() adds why
    outcome.claim = ClaimState::fenced;
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

TaskOutcome outcome_from_sql(const SqlResult& result, const Task& task,
                             const OutputCapture& capture, bool dry_run)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.kind = task.kind;
  outcome.result = classify_sql(result.outcome);
  outcome.retryable = is_retryable(result);
  outcome.duration_usec = duration_cast<microseconds>(result.duration).count();
  outcome.database = task.database;
  outcome.server = result.server;
  outcome.sqlstate = result.sqlstate;
  outcome.db_error = result.message;
  outcome.db_detail = result.detail;
  outcome.db_hint = result.hint;
  outcome.failed_statement = result.failed_statement;
  outcome.db_context = result.context;
  outcome.rows_returned = result.rows_returned;
  if (result.outcome == SqlOutcome::success) {
    outcome.rows_affected = result.rows_affected;
  }
  outcome.signal = result.outcome == SqlOutcome::interrupted ? result.signal : 0;
  outcome.detail = describe_sql_end(result, task, dry_run);
  outcome.output_bytes = capture.total_bytes();
  outcome.suppressed_bytes = capture.suppressed_bytes();
  outcome.output_tail = capture.tail();
  return outcome;
}

void write_sql_preview(const SqlResult& result, OutputSink& sink)
{
  if (result.columns.empty()) {
    return;
  }
  sink.on_line(Stream::out, join(result.columns, " | "), LineEnd::newline);
  for (const auto& row : result.preview) {
    sink.on_line(Stream::out, join(row, " | "), LineEnd::newline);
  }
  const auto shown = static_cast<std::int64_t>(result.preview.size());
  if (result.rows_returned > shown) {
    sink.on_line(Stream::out, fmt::format("({} rows, first {} shown)", result.rows_returned, shown),
                 LineEnd::newline);
  } else {
    sink.on_line(Stream::out, fmt::format("({} row{})", shown, shown == 1 ? "" : "s"),
                 LineEnd::newline);
  }
}

TaskOutcome skipped_outcome(const Task& task, SkipReason reason, std::string detail)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.kind = task.kind;
  outcome.result = TaskResult::skipped;
  outcome.skip_reason = reason;
  outcome.detail = std::move(detail);
  return outcome;
}

} // namespace pt
