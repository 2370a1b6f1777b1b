// SPDX-License-Identifier: MIT
#include "app/summary.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/report.hpp"
#include "schedule/timestamp.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

using Json = nlohmann::ordered_json;

std::string totals_line(const RunSummary& summary)
{
  std::size_t ok = 0;
  std::size_t bad = 0;
  std::size_t skipped = 0;
  for (const auto& task : summary.tasks) {
    if (task.result == TaskResult::success) {
      ++ok;
    } else if (task.result == TaskResult::skipped) {
      ++skipped;
    } else {
      ++bad;
    }
  }
  std::string line =
      fmt::format("{} task{}: {} succeeded, {} failed, {} skipped", summary.tasks.size(),
                  summary.tasks.size() == 1 ? "" : "s", ok, bad, skipped);
  line += fmt::format(" in {} (run {}, as of {}{})", format_seconds(summary.duration_usec),
                      summary.context.run_id, summary.context.as_of,
                      summary.context.dry_run ? ", dry run" : "");
  if (summary.interrupted_by != 0) {
    line += fmt::format("; interrupted by {}", signal_name(summary.interrupted_by));
  }
  return line + "\n";
}

std::string last_line(const TaskOutcome& task)
{
  if (task.result == TaskResult::success || task.output_tail.empty()) {
    return task.detail;
  }
  return fmt::format("{}: {}", task.detail, task.output_tail.back());
}

std::int64_t usec_of(TimePoint time)
{
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

// The schedule as written, expressions joined by "; ".
std::string schedule_text(const Task& task)
{
  std::string text;
  for (const auto& schedule : task.schedule) {
    text += (text.empty() ? "" : "; ") + schedule.text;
  }
  return text;
}

Json task_json(const TaskOutcome& task)
{
  Json j;
  j["name"] = task.name;
  j["kind"] = to_string(task.kind);
  j["result"] = to_string(task.result);
  j["skip_reason"] =
      task.skip_reason == SkipReason::none ? Json(nullptr) : Json(to_string(task.skip_reason));
  j["exit_status"] = task.exit_status ? Json(*task.exit_status) : Json(nullptr);
  j["signal"] = task.signal != 0 ? Json(signal_name(task.signal)) : Json(nullptr);
  j["core_dumped"] = task.core_dumped;
  j["holder_pid"] = task.holder_pid != 0 ? Json(task.holder_pid) : Json(nullptr);
  if (task.owner) {
    j["owner"] = {{"host", task.owner->host},
                  {"boot_id", task.owner->boot_id},
                  {"pid", task.owner->pid},
                  {"run_id", task.owner->run_id}};
  }
  if (task.claim_attempt != 0) {
    j["claim_attempt"] = task.claim_attempt;
  }
  j["detail"] = task.detail;
  j["duration_usec"] = task.duration_usec;
  j["output_bytes"] = task.output_bytes;
  j["suppressed_bytes"] = task.suppressed_bytes;
  j["output_tail"] = task.output_tail;
  j["attempts"] = task.attempts;
  switch (task.kind) {
  case TaskKind::sql:
    j["database"] = task.database;
    j["rows_affected"] = task.rows_affected ? Json(*task.rows_affected) : Json(nullptr);
    j["rows_returned"] = task.rows_returned;
    j["sqlstate"] = task.sqlstate.empty() ? Json(nullptr) : Json(task.sqlstate);
    j["db_error"] = task.db_error.empty() ? Json(nullptr) : Json(task.db_error);
    j["db_detail"] = task.db_detail.empty() ? Json(nullptr) : Json(task.db_detail);
    j["db_hint"] = task.db_hint.empty() ? Json(nullptr) : Json(task.db_hint);
    j["db_context"] = task.db_context.empty() ? Json(nullptr) : Json(task.db_context);
    j["failed_statement"] = task.failed_statement > 0 ? Json(task.failed_statement) : Json(nullptr);
    break;
  case TaskKind::command:
    break;
  }
  return j;
}

} // namespace

std::optional<TimePoint> next_run(const Task& task, TimePoint now)
{
  if (!task.enabled || task.schedule.empty()) {
    return std::nullopt;
  }
  std::vector<CalendarSpec> specs;
  for (const auto& schedule : task.schedule) {
    specs.push_back(schedule.spec);
  }
  return next_slot(specs, now);
}

std::string render_summary_text(const RunSummary& summary)
{
  std::vector<std::vector<std::string>> rows{{"TASK", "RESULT", "DURATION", "DETAIL"}};
  for (const auto& task : summary.tasks) {
    rows.push_back({task.name, std::string(to_string(task.result)),
                    task.result == TaskResult::skipped ? "-" : format_seconds(task.duration_usec),
                    sanitize_utf8(last_line(task))});
  }
  if (summary.tasks.empty()) {
    return totals_line(summary);
  }
  return render_table(rows) + totals_line(summary);
}

std::string render_summary_json(const RunSummary& summary, int exit_code)
{
  Json j;
  j["run_id"] = summary.context.run_id;
  j["as_of"] = summary.context.as_of;
  j["dry_run"] = summary.context.dry_run;
  j["trigger"] = to_string(summary.trigger);
  j["slot"] = summary.context.slot.empty() ? Json(nullptr) : Json(summary.context.slot);
  j["started_at_usec"] = summary.started_at_usec;
  j["duration_usec"] = summary.duration_usec;
  j["interrupted_by"] =
      summary.interrupted_by != 0 ? Json(signal_name(summary.interrupted_by)) : Json(nullptr);
  j["exit_code"] = exit_code;
  j["tasks"] = Json::array();
  for (const auto& task : summary.tasks) {
    j["tasks"].push_back(task_json(task));
  }
  return escape_json_controls(j.dump(-1, ' ', false, Json::error_handler_t::replace)) + "\n";
}

std::string render_task_list_text(const Config& config, TimePoint now)
{
  std::vector<std::vector<std::string>> rows{
      {"#", "TASK", "KIND", "ENABLED", "TIMEOUT", "SCHEDULE", "NEXT", "SOURCE"}};
  std::size_t position = 0;
  for (const auto& task : config.tasks) {
    const auto next = next_run(task, now);
    rows.push_back({std::to_string(++position), task.name, std::string(to_string(task.kind)),
                    task.enabled ? "yes" : "no", format_timespan(task.timeout),
                    task.schedule.empty() ? "-" : schedule_text(task),
                    next ? format_local_time(usec_of(*next)) : "-", format_location(task.origin)});
  }
  return render_table(rows);
}

std::string render_task_list_json(const Config& config, TimePoint now)
{
  Json tasks = Json::array();
  std::size_t position = 0;
  for (const auto& task : config.tasks) {
    Json j;
    j["position"] = ++position;
    j["name"] = task.name;
    j["kind"] = to_string(task.kind);
    j["enabled"] = task.enabled;
    j["description"] = task.description;
    j["timeout_usec"] = task.timeout == k_infinite ? Json(nullptr) : Json(task.timeout.count());
    j["timeout"] = format_timespan(task.timeout);
    switch (task.kind) {
    case TaskKind::sql:
      j["database"] = task.database;
      j["sql"] = task.sql;
      j["params"] = task.params;
      break;
    case TaskKind::command:
      j["command"] = task.command;
      break;
    }
    j["retries"] = task.retries;
    j["schedule"] = Json::array();
    for (const auto& schedule : task.schedule) {
      j["schedule"].push_back(zoned_normalized(schedule.spec));
    }
    const auto next = next_run(task, now);
    j["next"] = next ? Json(format_utc_timestamp(*next)) : Json(nullptr);
    j["source"] = task.origin.file;
    j["line"] = task.origin.line;
    tasks.push_back(j);
  }
  Json j;
  j["sources"] = config.sources;
  j["tasks"] = tasks;
  return escape_json_controls(j.dump(-1, ' ', false, Json::error_handler_t::replace)) + "\n";
}

} // namespace pt
