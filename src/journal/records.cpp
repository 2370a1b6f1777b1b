// SPDX-License-Identifier: MIT
#include "journal/records.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.hpp"

namespace pt {

namespace {

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
  case TaskResult::success:
    return message_id::task_succeeded;
  case TaskResult::failed:
    return message_id::task_failed;
  case TaskResult::timeout:
    return message_id::task_timed_out;
  case TaskResult::killed:
    return message_id::task_killed;
  case TaskResult::skipped:
    return message_id::task_skipped;
  case TaskResult::error:
    return message_id::task_error;
  }
  return {};
}

Priority finish_priority(TaskResult result)
{
  switch (result) {
  case TaskResult::success:
    return Priority::info;
  case TaskResult::skipped:
    return Priority::notice;
  default:
    return Priority::err;
  }
}

std::string finish_message(const Task& task, const TaskOutcome& outcome)
{
  const std::string name = fmt::format("task \"{}\"", task.name);
  switch (outcome.result) {
  case TaskResult::success:
    return fmt::format("{} succeeded in {}", name, format_seconds(outcome.duration_usec));
  case TaskResult::skipped:
    return fmt::format("{} skipped: {}", name, outcome.detail);
  case TaskResult::error:
    return fmt::format("{} could not start: {}", name, outcome.detail);
  default:
    return fmt::format("{} {}", name, outcome.detail);
  }
}

// Adds the fields that describe how `outcome` ended.
void add_outcome_fields(std::vector<Field>& fields, const TaskOutcome& outcome)
{
  auto add = [&](const char* name, std::string value) {
    fields.push_back({name, std::move(value)});
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
  if (!outcome.server.empty()) {
    add("DATABASE", outcome.database);
    add("DB_SERVER", outcome.server);
  }
  if (!outcome.sqlstate.empty()) {
    add("SQLSTATE", outcome.sqlstate);
  }
  if (!outcome.db_error.empty()) {
    add("DB_ERROR", outcome.db_error);
  }
  if (!outcome.db_detail.empty()) {
    add("DB_DETAIL", outcome.db_detail);
  }
  if (!outcome.db_hint.empty()) {
    add("DB_HINT", outcome.db_hint);
  }
  if (!outcome.db_context.empty()) {
    add("DB_CONTEXT", outcome.db_context);
  }
  if (outcome.failed_statement > 0) {
    add("DB_STATEMENT", std::to_string(outcome.failed_statement));
  }
  if (outcome.rows_affected) {
    add("ROWS_AFFECTED", std::to_string(*outcome.rows_affected));
  }
  switch (outcome.kind) {
  case TaskKind::sql:
    if (outcome.skip_reason == SkipReason::none) {
      add("ROWS_RETURNED", std::to_string(outcome.rows_returned));
    }
    break;
  case TaskKind::command:
    break;
  }
  if (outcome.attempts > 0) {
    add("ATTEMPT", std::to_string(outcome.attempts));
  }
  add("DURATION_USEC", std::to_string(outcome.duration_usec));
  add("OUTPUT_BYTES", std::to_string(outcome.output_bytes));
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

} // namespace

std::vector<Field> task_fields(const Task& task, const RunRequest& request)
{
  return {
      {"TASK", task.name},
      {"TASK_KIND", std::string(to_string(task.kind))},
      {"RUN_ID", request.context.run_id},
      {"AS_OF", request.context.as_of},
      {"DRY_RUN", request.context.dry_run ? "1" : "0"},
      {"TRIGGER", std::string(to_string(request.trigger))},
  };
}

void emit_task_finished(EventLog& log, const Task& task, const TaskOutcome& outcome,
                        std::vector<Field> fields)
{
  Record record;
  record.priority = finish_priority(outcome.result);
  record.message = finish_message(task, outcome);
  record.message_id = finish_message_id(outcome);
  record.fields = std::move(fields);
  add_outcome_fields(record.fields, outcome);
  log.emit(record);
}

void emit_task_retry(EventLog& log, const Task& task, const TaskOutcome& outcome,
                     std::vector<Field> fields, Duration wait)
{
  Record record;
  record.priority = Priority::warning;
  record.message =
      fmt::format("task \"{}\" attempt {} of {} {}; retrying in {}", task.name, outcome.attempts,
                  task.retries + 1, outcome.detail, format_timespan(wait));
  record.message_id = message_id::task_retry;
  record.fields = std::move(fields);
  add_outcome_fields(record.fields, outcome);
  record.fields.push_back({"RETRY_IN_USEC", std::to_string(wait.count())});
  log.emit(record);
}

void emit_task_started(EventLog& log, const Task& task, const RunRequest& request,
                       std::size_t position)
{
  Record record;
  record.priority = Priority::info;
  record.message_id = message_id::task_started;
  record.fields = task_fields(task, request);
  const std::string where = fmt::format("{}/{}", position, request.tasks.size());
  switch (task.kind) {
  case TaskKind::sql:
    record.message =
        fmt::format("task \"{}\" started ({}): {} statement{} on database \"{}\"", task.name, where,
                    task.sql.size(), task.sql.size() == 1 ? "" : "s", task.database);
    record.fields.push_back({"DATABASE", task.database});
    break;
  case TaskKind::command: {
    const auto argv = command_argv(task, request.context.dry_run);
    record.message =
        fmt::format("task \"{}\" started ({}): {}", task.name, where, quote_argv(argv));
    record.fields.push_back({"COMMAND", quote_argv(argv)});
    break;
  }
  }
  record.fields.push_back({"TASK_POSITION", where});
  log.emit(record);
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
    record.message =
        fmt::format("run interrupted by {}: {}; not run: {}", signal_name(summary.interrupted_by),
                    count_results(summary), not_run.empty() ? std::string("none") : join(not_run));
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

} // namespace pt
