// SPDX-License-Identifier: MIT
// Per-task gauges for node_exporter's textfile collector: read what earlier
// runs wrote, merge a run into it, render the exposition text. Pure; the file
// itself is metrics/file.cpp's (docs/configuration.md, [metrics], is the contract).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "journal/event_log.hpp"
#include "run/result.hpp"

namespace pt {

// What the textfile says about one task; a value that is unset has no series.
struct TaskMetrics
{
  std::string task;
  std::optional<std::int64_t> last_run_usec;      // start of the last run, since the epoch
  std::optional<std::int64_t> last_success_usec;  // start of the last successful run
  std::optional<std::int64_t> last_duration_usec; // of the last run's last attempt
  std::optional<TaskResult> last_result;          // never skipped
  std::optional<std::int64_t> consecutive_failures;
  std::optional<std::int64_t> last_exit_status; // command tasks that exited by themselves
};

// Returns the values of our own series in `text`, one entry per task in the
// order tasks first appear. Lines it does not understand (comments, other
// metrics, garbage) are ignored.
std::vector<TaskMetrics> parse_metrics(std::string_view text);

// Returns `previous` with `summary` merged in, in `config`'s task order: a task
// that ran takes its new values, a task that was skipped or not selected keeps
// its old ones, a task no longer in `config` is dropped.
std::vector<TaskMetrics> merge_metrics(const std::vector<TaskMetrics>& previous,
                                       const RunSummary& summary, const Config& config);

// Returns `metrics` in the text exposition format: per metric family a HELP and
// a TYPE line, then one series per task that has a value.
std::string render_metrics(const std::vector<TaskMetrics>& metrics);

// Returns whether a run writes the textfile at all: a dry run does not.
bool run_updates_metrics(const RunSummary& summary);

// Returns the textfile after `summary`, given the `previous` one's text.
std::string updated_metrics_text(std::string_view previous, const RunSummary& summary,
                                 const Config& config);

// Returns the warning that the textfile `path` was not updated because of `error`.
Record metrics_failed_record(const RunSummary& summary, const std::filesystem::path& path,
                             std::string_view error);

} // namespace pt
