// SPDX-License-Identifier: MIT
#include "journal/records.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "journal/fields.hpp"
#include "schedule/slots.hpp"
#include "schedule/timestamp.hpp"
#include "util/diagnostic.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

std::vector<Field> run_fields(const RunRequest& request)
{
  std::vector<Field> fields{
      {field::run_id, request.context.run_id},
      {field::as_of, request.context.as_of},
      {field::dry_run, request.context.dry_run ? "1" : "0"},
      {field::trigger, std::string(to_string(request.trigger))},
  };
  if (!request.context.slot.empty()) {
    fields.push_back({field::slot, request.context.slot});
  }
  return fields;
}

void add_firing_fields(std::vector<Field>& fields, const TimerFiring& firing)
{
  if (!firing.realtime_usec.empty()) {
    fields.push_back({field::timer_realtime_usec, firing.realtime_usec});
  }
  if (!firing.monotonic_usec.empty()) {
    fields.push_back({field::timer_monotonic_usec, firing.monotonic_usec});
  }
}

// Returns ", manual", ", slot 2026-12-07T07:00:00Z" or ", catch-up of slot ...".
std::string trigger_words(const RunRequest& request)
{
  switch (request.trigger) {
  case Trigger::manual:
    return ", manual";
  case Trigger::catch_up:
    return ", catch-up of slot " + request.context.slot;
  case Trigger::timer:
    return request.context.slot.empty() ? std::string() : ", slot " + request.context.slot;
  }
  return {};
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
  auto add = [&](std::string_view name, std::string value) {
    fields.push_back({name, std::move(value)});
  };
  add(field::task_result, std::string(to_string(outcome.result)));
  if (outcome.exit_status) {
    add(field::exit_status, std::to_string(*outcome.exit_status));
  }
  if (outcome.signal != 0) {
    add(field::signal, signal_name(outcome.signal));
    add(field::core_dumped, outcome.core_dumped ? "1" : "0");
  }
  if (outcome.skip_reason != SkipReason::none) {
    add(field::skip_reason, std::string(to_string(outcome.skip_reason)));
  }
  if (outcome.holder_pid != 0) {
    add(field::holder_pid, std::to_string(outcome.holder_pid));
  }
  if (outcome.owner) {
    add(field::owner_host, outcome.owner->host);
    add(field::owner_boot_id, outcome.owner->boot_id);
    add(field::owner_pid, std::to_string(outcome.owner->pid));
    add(field::owner_run_id, outcome.owner->run_id);
  }
  if (outcome.claim_attempt != 0) {
    add(field::claim_attempt, std::to_string(outcome.claim_attempt));
  }
  if (outcome.result == TaskResult::error) {
    add(field::task_error, outcome.detail);
  }
  if (!outcome.server.empty()) {
    add(field::database, outcome.database);
    add(field::db_server, outcome.server);
  }
  if (!outcome.sqlstate.empty()) {
    add(field::sqlstate, outcome.sqlstate);
  }
  if (!outcome.db_error.empty()) {
    add(field::db_error, outcome.db_error);
  }
  if (!outcome.db_detail.empty()) {
    add(field::db_detail, outcome.db_detail);
  }
  if (!outcome.db_hint.empty()) {
    add(field::db_hint, outcome.db_hint);
  }
  if (!outcome.db_context.empty()) {
    add(field::db_context, outcome.db_context);
  }
  if (outcome.failed_statement > 0) {
    add(field::db_statement, std::to_string(outcome.failed_statement));
  }
  if (outcome.rows_affected) {
    add(field::rows_affected, std::to_string(*outcome.rows_affected));
  }
  switch (outcome.kind) {
  case TaskKind::sql:
    if (outcome.skip_reason == SkipReason::none) {
      add(field::rows_returned, std::to_string(outcome.rows_returned));
    }
    break;
  case TaskKind::command:
    break;
  }
  if (outcome.attempts > 0) {
    add(field::attempt, std::to_string(outcome.attempts));
  }
  add(field::duration_usec, std::to_string(outcome.duration_usec));
  add(field::output_bytes, std::to_string(outcome.output_bytes));
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
  std::vector<Field> fields{
      {field::task, task.name},
      {field::task_kind, std::string(to_string(task.kind))},
      {field::run_id, request.context.run_id},
      {field::as_of, request.context.as_of},
      {field::dry_run, request.context.dry_run ? "1" : "0"},
      {field::trigger, std::string(to_string(request.trigger))},
  };
  if (!request.context.slot.empty()) {
    fields.push_back({field::slot, request.context.slot});
  }
  if (!task.schedule.empty()) {
    std::vector<CalendarSpec> specs;
    for (const auto& schedule : task.schedule) {
      specs.push_back(schedule.spec);
    }
    fields.push_back({field::schedule, schedule_key(specs)});
  }
  return fields;
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
  record.fields.push_back({field::retry_in_usec, std::to_string(wait.count())});
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
    record.fields.push_back({field::database, task.database});
    break;
  case TaskKind::command: {
    const auto argv = command_argv(task, request.context.dry_run);
    record.message =
        fmt::format("task \"{}\" started ({}): {}", task.name, where, quote_argv(argv));
    record.fields.push_back({field::command, quote_argv(argv)});
    break;
  }
  }
  record.fields.push_back({field::task_position, where});
  log.emit(record);
}

void emit_run_started(EventLog& log, const RunRequest& request)
{
  Record record;
  record.message = fmt::format("run started: {} task{}, as of {}{}{}", request.tasks.size(),
                               request.tasks.size() == 1 ? "" : "s", request.context.as_of,
                               request.context.dry_run ? ", dry run" : "", trigger_words(request));
  record.message_id = message_id::run_started;
  record.fields = run_fields(request);
  record.fields.push_back({field::task_count, std::to_string(request.tasks.size())});
  add_firing_fields(record.fields, request.firing);
  log.emit(record);
}

void emit_run_finished(EventLog& log, const RunRequest& request, const RunSummary& summary)
{
  Record record;
  const int code = exit_code_for(summary);
  record.priority = code == k_exit_ok || code == k_exit_busy ? Priority::info : Priority::err;
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
    record.fields.push_back({field::signal, signal_name(summary.interrupted_by)});
    record.fields.push_back({field::not_run, join(not_run, " ")});
  } else {
    record.message_id = message_id::run_finished;
    record.message = fmt::format("run finished in {}: {}", format_seconds(summary.duration_usec),
                                 count_results(summary));
  }
  record.fields.push_back({field::duration_usec, std::to_string(summary.duration_usec)});
  record.fields.push_back({field::exit_status, std::to_string(code)});
  log.emit(record);
}

void emit_slots_planned(EventLog& log, const Task& task, const SlotPlan& plan,
                        const TimerFiring& firing)
{
  Record record;
  record.priority = plan.capped ? Priority::warning : Priority::debug;
  record.message_id = message_id::slots_planned;
  record.message = fmt::format("task \"{}\": {}", task.name, plan.note);
  record.fields = {{field::task, task.name},
                   {field::schedule, plan.schedule},
                   {field::slot_count, std::to_string(plan.slots.size())}};
  if (!plan.slots.empty()) {
    record.fields.push_back({field::slot, format_utc_timestamp(plan.slots.front().time)});
  }
  add_firing_fields(record.fields, firing);
  log.emit(record);
}

} // namespace pt
