// SPDX-License-Identifier: MIT
#include "app/report.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "schedule/timestamp.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

using Json = nlohmann::ordered_json;

std::tm local_tm(std::int64_t usec)
{
  const auto seconds = static_cast<std::time_t>(usec / 1'000'000);
  std::tm tm{};
  ::localtime_r(&seconds, &tm);
  return tm;
}

std::string strftime_text(const char* format, const std::tm& tm)
{
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}

// "exit 3", "SIGKILL", "SQLSTATE 23505" or "-".
std::string how_it_ended(const TaskRun& run)
{
  const TaskRecord& record = run.record;
  if (!record.sqlstate.empty()) {
    return "SQLSTATE " + record.sqlstate;
  }
  if (!record.signal.empty()) {
    return record.signal;
  }
  if (!record.exit_status.empty()) {
    return "exit " + record.exit_status;
  }
  return "-";
}

std::string result_text(const TaskRun& run)
{
  std::string text(to_string(run.result));
  if (!run.record.skip_reason.empty()) {
    text += " (" + run.record.skip_reason + ")";
  } else if (run.record.attempts > 1) {
    text += fmt::format(" ({} attempts)", run.record.attempts);
  }
  return text;
}

std::string duration_text(const TaskRun& run)
{
  return run.finished_usec ? format_seconds(run.record.duration_usec) : std::string("-");
}

std::string running_text(const TaskStatus& status)
{
  if (!status.lock.held) {
    return status.enabled ? "-" : "disabled";
  }
  std::string text = "running";
  if (status.running) {
    text += " since " + format_local_time(status.running->started_usec);
  }
  std::vector<std::string> details;
  if (status.lock.holder_pid > 0) {
    details.push_back(fmt::format("pid {}", status.lock.holder_pid));
  }
  if (status.running && !status.running->record.position.empty()) {
    details.push_back(status.running->record.position);
  }
  if (!details.empty()) {
    text += " (" + join(details) + ")";
  }
  return text;
}

Json optional_time(const std::optional<std::int64_t>& usec)
{
  return usec ? Json(format_iso8601(*usec)) : Json(nullptr);
}

Json optional_number(const std::optional<std::int64_t>& value)
{
  return value ? Json(*value) : Json(nullptr);
}

Json optional_text(const std::string& text)
{
  return text.empty() ? Json(nullptr) : Json(text);
}

Json run_json(const TaskRun& run)
{
  const TaskRecord& record = run.record;
  std::optional<std::int64_t> exit_status;
  if (int value = 0; !record.exit_status.empty() &&
                     std::from_chars(record.exit_status.data(),
                                     record.exit_status.data() + record.exit_status.size(), value)
                             .ec == std::errc{}) {
    exit_status = value;
  }
  Json j;
  j["task"] = record.task;
  j["result"] = to_string(run.result);
  j["skip_reason"] = optional_text(record.skip_reason);
  j["started"] = format_iso8601(run.started_usec);
  j["started_usec"] = run.started_usec;
  j["finished"] = optional_time(run.finished_usec);
  j["finished_usec"] = optional_number(run.finished_usec);
  j["duration_usec"] = run.finished_usec ? Json(record.duration_usec) : Json(nullptr);
  j["exit_status"] = optional_number(exit_status);
  j["signal"] = optional_text(record.signal);
  j["sqlstate"] = optional_text(record.sqlstate);
  j["attempts"] = record.attempts;
  j["run_id"] = record.run_id;
  j["as_of"] = record.as_of;
  j["dry_run"] = record.dry_run;
  j["trigger"] = record.trigger;
  j["kind"] = optional_text(record.kind);
  j["position"] = optional_text(record.position);
  j["invocation_id"] = optional_text(record.invocation);
  j["pid"] = run.holder_pid > 0 ? Json(run.holder_pid) : Json(nullptr);
  return j;
}

} // namespace

std::string format_local_time(std::int64_t usec)
{
  return strftime_text("%Y-%m-%d %H:%M:%S", local_tm(usec));
}

std::string format_utc_usec(std::int64_t usec)
{
  return format_utc_timestamp(TimePoint(std::chrono::microseconds(usec)));
}

std::string format_iso8601(std::int64_t usec)
{
  std::string text = strftime_text("%Y-%m-%dT%H:%M:%S%z", local_tm(usec));
  if (text.size() > 2) {
    text.insert(text.size() - 2, ":"); // +0100 -> +01:00, as RFC 3339 wants
  }
  return text;
}

// "-", "?" (state unreadable), or "3 since 2026-12-05 07:00:00".
std::string catch_up_text(const TaskStatus& status)
{
  if (!status.slot_error.empty()) {
    return "?";
  }
  if (status.catch_up_usec.empty()) {
    return "-";
  }
  return fmt::format("{} since {}", status.catch_up_usec.size(),
                     format_local_time(status.catch_up_usec.front()));
}

// "db-2 pid 4711 slot 2026-12-07 08:00, attempt 2, lease until 08:02:00", or "-".
std::string cluster_running_text(const TaskClusterStatus& task)
{
  const auto& running = task.running;
  if (!running) {
    return task.lock_session.empty() ? "-" : "without a slot: " + task.lock_session;
  }
  return fmt::format("{} pid {} slot {}{}, lease until {}", running->holder.host,
                     running->holder.pid, format_local_time(running->slot),
                     running->attempt > 1 ? fmt::format(", attempt {}", running->attempt)
                                          : std::string(),
                     format_local_time(running->lease_until));
}

std::string render_cluster_text(const ClusterView& cluster)
{
  std::string text = fmt::format("\nCluster (database \"{}\"):\n", cluster.database);
  if (!cluster.error.empty()) {
    return text + fmt::format("  cannot read the cluster's claims: {}\n", cluster.error);
  }
  std::vector<std::vector<std::string>> rows{
      {"TASK", "LAST SLOT", "RAN ON", "RESULT", "FINISHED", "RUNNING NOW"}};
  for (const auto& task : cluster.tasks) {
    if (task.last_done) {
      const FinishedSlot& done = *task.last_done;
      rows.push_back({task.task, format_local_time(done.slot), done.host, done.result,
                      format_local_time(done.finished_at), cluster_running_text(task)});
    } else {
      rows.push_back({task.task, "-", "-", "-", "-", cluster_running_text(task)});
    }
  }
  return text + render_table(rows);
}

Json cluster_json(const ClusterView& cluster)
{
  Json j;
  j["database"] = cluster.database;
  j["error"] = cluster.error.empty() ? Json(nullptr) : Json(cluster.error);
  j["tasks"] = Json::array();
  for (const auto& task : cluster.tasks) {
    Json t;
    t["task"] = task.task;
    t["last_done"] = nullptr;
    if (task.last_done) {
      t["last_done"] = {{"slot", format_utc_usec(task.last_done->slot)},
                        {"host", task.last_done->host},
                        {"result", task.last_done->result},
                        {"finished_at", format_utc_usec(task.last_done->finished_at)}};
    }
    t["running"] = nullptr;
    if (task.running) {
      t["running"] = {{"slot", format_utc_usec(task.running->slot)},
                      {"host", task.running->holder.host},
                      {"boot_id", task.running->holder.boot_id},
                      {"pid", task.running->holder.pid},
                      {"run_id", task.running->holder.run_id},
                      {"attempt", task.running->attempt},
                      {"lease_until", format_utc_usec(task.running->lease_until)}};
    }
    t["lock_session"] = task.lock_session.empty() ? Json(nullptr) : Json(task.lock_session);
    j["tasks"].push_back(std::move(t));
  }
  return j;
}

std::string render_status_text(const std::vector<TaskStatus>& statuses, const ClusterView* cluster)
{
  std::vector<std::vector<std::string>> rows{{"TASK", "LAST RUN", "RESULT", "DURATION", "EXIT",
                                              "LAST SUCCESS", "FAILURES", "NOW", "NEXT",
                                              "CATCH-UP"}};
  for (const auto& status : statuses) {
    const std::string success = status.last_success_usec
                                    ? format_local_time(*status.last_success_usec)
                                    : std::string(status.last ? "never" : "-");
    if (status.last) {
      const TaskRun& last = *status.last;
      rows.push_back({status.task, format_local_time(last.started_usec), result_text(last),
                      duration_text(last), how_it_ended(last), success,
                      std::to_string(status.consecutive_failures), running_text(status)});
    } else {
      rows.push_back({status.task, "never run", "-", "-", "-", success, "-", running_text(status)});
    }
    rows.back().push_back(status.next_usec ? format_local_time(*status.next_usec) : "-");
    rows.back().push_back(catch_up_text(status));
  }
  return render_table(rows) + (cluster != nullptr ? render_cluster_text(*cluster) : std::string());
}

std::string render_status_json(const std::vector<TaskStatus>& statuses, const ClusterView* cluster)
{
  Json tasks = Json::array();
  for (const auto& status : statuses) {
    Json j;
    j["task"] = status.task;
    j["enabled"] = status.enabled;
    j["last_run"] = status.last ? run_json(*status.last) : Json(nullptr);
    j["last_success"] = optional_time(status.last_success_usec);
    j["last_success_usec"] = optional_number(status.last_success_usec);
    j["consecutive_failures"] = status.consecutive_failures;
    j["running"] = status.lock.held;
    j["running_pid"] = status.lock.holder_pid > 0 ? Json(status.lock.holder_pid) : Json(nullptr);
    j["running_since"] =
        status.running ? Json(format_iso8601(status.running->started_usec)) : Json(nullptr);
    j["running_run_id"] = status.running ? Json(status.running->record.run_id) : Json(nullptr);
    j["schedule"] = status.schedule.empty() ? Json(nullptr) : Json(status.schedule);
    j["next"] = status.next_usec ? Json(format_utc_usec(*status.next_usec)) : Json(nullptr);
    j["catch_up"] = Json::array();
    for (const auto usec : status.catch_up_usec) {
      j["catch_up"].push_back(format_utc_usec(usec));
    }
    j["slot_error"] = status.slot_error.empty() ? Json(nullptr) : Json(status.slot_error);
    tasks.push_back(std::move(j));
  }
  Json out;
  out["tasks"] = std::move(tasks);
  out["cluster"] = cluster != nullptr ? cluster_json(*cluster) : Json(nullptr);
  return escape_json_controls(out.dump(2, ' ', false, Json::error_handler_t::replace)) + "\n";
}

std::string render_history_text(const std::vector<TaskRun>& runs)
{
  std::vector<std::vector<std::string>> rows{
      {"STARTED", "TASK", "RESULT", "DURATION", "EXIT", "AS OF", "TRIGGER", "RUN ID"}};
  for (const auto& run : runs) {
    rows.push_back({format_local_time(run.started_usec), run.record.task, result_text(run),
                    duration_text(run), how_it_ended(run),
                    run.record.as_of + (run.record.dry_run ? " (dry run)" : ""), run.record.trigger,
                    run.record.run_id});
  }
  return render_table(rows);
}

std::string render_history_json(const std::vector<TaskRun>& runs)
{
  Json list = Json::array();
  for (const auto& run : runs) {
    list.push_back(run_json(run));
  }
  Json out;
  out["runs"] = std::move(list);
  return escape_json_controls(out.dump(2, ' ', false, Json::error_handler_t::replace)) + "\n";
}

} // namespace pt
