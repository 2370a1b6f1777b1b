// SPDX-License-Identifier: MIT
// The textfile is both this run's output and the memory of earlier runs: a run
// of one task must not erase what the others recorded, so each run reads the
// file back, keeps the series of tasks it did not run, and rewrites it whole.
//
// The parts that need care:
// - The file is read back line by line (metrics/exposition.cpp); only our own series
//   are kept and any line that cannot be read is ignored, so a truncated,
//   hand-edited or foreign file never stops a run.
// - Timestamps and durations are kept in whole microseconds and written as
//   decimal seconds (no exponent), so a value survives any number of
//   read-write cycles exactly.
// - A family's series stand together under one HELP and TYPE line, tasks in
//   config order, so the file is the same for the same state.
#include "metrics/metrics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "journal/fields.hpp"
#include "metrics/exposition.hpp"

namespace pt {

namespace {

enum class Kind { seconds, count, state_set };

// One metric family: its name, its help, and the TaskMetrics member it shows.
struct Family
{
  std::string_view name;
  std::string_view help;
  Kind kind;
  std::optional<std::int64_t> TaskMetrics::*value; // nullptr for the state set
  double max = 0; // the largest value read back (counts and the state set)
};

// The families in the order the file lists them; docs/configuration.md lists the same.
constexpr std::array<Family, 6> k_families{{
    {"periodic_tasks_last_run_timestamp_seconds",
     "Start time of the task's last run that was not skipped, in seconds since the epoch.",
     Kind::seconds, &TaskMetrics::last_run_usec, 0},
    {"periodic_tasks_last_success_timestamp_seconds",
     "Start time of the task's last successful run, in seconds since the epoch.", Kind::seconds,
     &TaskMetrics::last_success_usec, 0},
    {"periodic_tasks_last_duration_seconds",
     "Duration of the task's last run (its last attempt), in seconds.", Kind::seconds,
     &TaskMetrics::last_duration_usec, 0},
    {"periodic_tasks_last_result",
     "Result of the task's last run: 1 for the result it had, 0 for the others.", Kind::state_set,
     nullptr, 1},
    {"periodic_tasks_consecutive_failures",
     "Runs of the task since its last success that failed, timed out, were killed or could not "
     "start.",
     Kind::count, &TaskMetrics::consecutive_failures, 9e15},
    {"periodic_tasks_last_exit_status",
     "Exit status of the command task's last run, when its process exited by itself.", Kind::count,
     &TaskMetrics::last_exit_status, 255},
}};

// The results a run that was not skipped can end with: the state set's members.
constexpr std::array<TaskResult, 5> k_run_results{TaskResult::success, TaskResult::failed,
                                                  TaskResult::timeout, TaskResult::killed,
                                                  TaskResult::error};

constexpr std::int64_t k_usec_per_sec = 1'000'000;

// --- Reading ----------------------------------------------------------------

// Reads "1700000000.25" exactly as microseconds; other spellings (1.7e9) through a double.
std::optional<std::int64_t> parse_seconds(std::string_view text)
{
  const auto dot = text.find('.');
  const auto whole = text.substr(0, dot);
  const auto fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  const bool digits_only =
      std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (error == std::errc() && end == whole.data() + whole.size() && digits_only && seconds >= 0 &&
      seconds < INT64_MAX / k_usec_per_sec - 1) {
    std::int64_t usec = 0;
    for (std::size_t i = 0; i < 6; ++i) {
      usec = usec * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
    }
    return seconds * k_usec_per_sec + usec;
  }
  const auto value = parse_sample_value(text);
  if (!value || *value < 0 || *value > 1e12) {
    return std::nullopt;
  }
  return std::llround(*value * static_cast<double>(k_usec_per_sec));
}

// Reads a non-negative whole number no larger than `max`.
std::optional<std::int64_t> parse_count(std::string_view text, double max)
{
  const auto value = parse_sample_value(text);
  if (!value || *value < 0 || *value > max || std::floor(*value) != *value) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*value);
}

std::optional<TaskResult> result_named(std::string_view word)
{
  for (const TaskResult result : k_run_results) {
    if (to_string(result) == word) {
      return result;
    }
  }
  return std::nullopt;
}

const Family* family_named(std::string_view name)
{
  const auto it = std::find_if(k_families.begin(), k_families.end(),
                               [&](const Family& f) { return f.name == name; });
  return it == k_families.end() ? nullptr : &*it;
}

// Applies one of our samples to `metrics`; returns false for a sample it cannot read.
bool apply_sample(const Family& family, const Sample& sample, TaskMetrics& metrics)
{
  switch (family.kind) {
  case Kind::seconds: {
    const auto usec = parse_seconds(sample.value);
    if (usec) {
      metrics.*family.value = usec;
    }
    return usec.has_value();
  }
  case Kind::count: {
    const auto count = parse_count(sample.value, family.max);
    if (count) {
      metrics.*family.value = count;
    }
    return count.has_value();
  }
  case Kind::state_set: {
    const std::string* word = label_value(sample, "result");
    const auto result = word != nullptr ? result_named(*word) : std::nullopt;
    const auto flag = parse_count(sample.value, family.max);
    if (!result || !flag) {
      return false;
    }
    if (*flag == 1) {
      metrics.last_result = result;
    }
    return true;
  }
  }
  return false;
}

// --- Merging -----------------------------------------------------------------

TaskMetrics empty_metrics(const std::string& task)
{
  TaskMetrics metrics;
  metrics.task = task;
  return metrics;
}

void apply_outcome(const TaskOutcome& outcome, TaskMetrics& metrics)
{
  if (outcome.result == TaskResult::skipped) {
    return; // locked, dry run, interrupted: nothing happened to the task
  }
  metrics.last_run_usec = outcome.started_at_usec;
  metrics.last_duration_usec = outcome.duration_usec;
  metrics.last_result = outcome.result;
  if (outcome.result == TaskResult::success) {
    metrics.last_success_usec = outcome.started_at_usec;
    metrics.consecutive_failures = 0;
  } else {
    metrics.consecutive_failures = metrics.consecutive_failures.value_or(0) + 1;
  }
  metrics.last_exit_status.reset();
  switch (outcome.kind) {
  case TaskKind::command:
    if (outcome.exit_status) {
      metrics.last_exit_status = *outcome.exit_status;
    }
    break;
  case TaskKind::sql:
    break; // a SQL task has no exit status
  }
}

bool has_any_value(const TaskMetrics& m)
{
  return m.last_run_usec || m.last_success_usec || m.last_duration_usec || m.last_result ||
         m.consecutive_failures || m.last_exit_status;
}

// --- Writing -----------------------------------------------------------------

// Renders microseconds as seconds: "1700000000", "0.25", "12.000001". Times
// and durations are never negative (a clock before 1970 shows as 0).
std::string format_seconds_value(std::int64_t usec)
{
  usec = std::max<std::int64_t>(usec, 0);
  const std::int64_t whole = usec / k_usec_per_sec;
  const std::int64_t fraction = usec % k_usec_per_sec;
  if (fraction == 0) {
    return std::to_string(whole);
  }
  std::string digits = fmt::format("{:06}", fraction);
  digits.erase(digits.find_last_not_of('0') + 1);
  return fmt::format("{}.{}", whole, digits);
}

void render_family(const Family& family, const std::vector<TaskMetrics>& metrics, std::string& out)
{
  std::string series;
  for (const auto& task : metrics) {
    const std::string label = fmt::format("task=\"{}\"", escape_label_value(task.task));
    if (family.kind == Kind::state_set) {
      if (!task.last_result) {
        continue;
      }
      for (const TaskResult result : k_run_results) {
        series += fmt::format("{}{{{},result=\"{}\"}} {}\n", family.name, label, to_string(result),
                              result == *task.last_result ? 1 : 0);
      }
      continue;
    }
    const auto& value = task.*family.value;
    if (value) {
      series += fmt::format("{}{{{}}} {}\n", family.name, label,
                            family.kind == Kind::seconds ? format_seconds_value(*value)
                                                         : std::to_string(*value));
    }
  }
  if (!series.empty()) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", family.name, family.help, family.name);
    out += series;
  }
}

} // namespace

std::vector<TaskMetrics> parse_metrics(std::string_view text)
{
  std::vector<TaskMetrics> tasks;
  std::map<std::string, std::size_t, std::less<>> index;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const auto line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const auto sample = parse_sample_line(line);
    const Family* family = sample ? family_named(sample->name) : nullptr;
    if (family == nullptr) {
      continue;
    }
    const std::size_t expected_labels = family->kind == Kind::state_set ? 2 : 1;
    const std::string* task = label_value(*sample, "task");
    if (task == nullptr || sample->labels.size() != expected_labels) {
      continue;
    }
    auto [it, added] = index.try_emplace(*task, tasks.size());
    if (added) {
      tasks.push_back(empty_metrics(*task));
    }
    if (!apply_sample(*family, *sample, tasks[it->second]) && added) {
      tasks.pop_back(); // a task only this unreadable line named
      index.erase(it);
    }
  }
  return tasks;
}

std::vector<TaskMetrics> merge_metrics(const std::vector<TaskMetrics>& previous,
                                       const RunSummary& summary, const Config& config)
{
  std::vector<TaskMetrics> merged;
  for (const Task& task : config.tasks) {
    const auto old = std::find_if(previous.begin(), previous.end(),
                                  [&](const TaskMetrics& m) { return m.task == task.name; });
    TaskMetrics metrics = old != previous.end() ? *old : empty_metrics(task.name);
    for (const auto& outcome : summary.tasks) {
      if (outcome.name == task.name) {
        apply_outcome(outcome, metrics);
      }
    }
    if (has_any_value(metrics)) {
      merged.push_back(std::move(metrics));
    }
  }
  return merged;
}

std::string render_metrics(const std::vector<TaskMetrics>& metrics)
{
  std::string out;
  for (const auto& family : k_families) {
    render_family(family, metrics, out);
  }
  return out;
}

bool run_updates_metrics(const RunSummary& summary)
{
  return !summary.context.dry_run;
}

std::string updated_metrics_text(std::string_view previous, const RunSummary& summary,
                                 const Config& config)
{
  return render_metrics(merge_metrics(parse_metrics(previous), summary, config));
}

Record metrics_failed_record(const RunSummary& summary, const std::filesystem::path& path,
                             std::string_view error)
{
  Record record;
  record.priority = Priority::warning;
  record.message_id = message_id::metrics_failed;
  record.message = fmt::format("metrics not written to {}: {}", path.string(), error);
  record.fields = {
      {field::run_id, summary.context.run_id},
      {field::as_of, summary.context.as_of},
      {field::dry_run, summary.context.dry_run ? "1" : "0"},
      {field::trigger, std::string(to_string(summary.trigger))},
      {field::metrics_file, path.string()},
      {field::metrics_error, std::string(error)},
  };
  return record;
}

} // namespace pt
