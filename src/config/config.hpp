// SPDX-License-Identifier: MIT
// The configuration as plain structs with defaults (docs/configuration.md is the contract).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schedule/calendar.hpp"
#include "schedule/slots.hpp" // CatchUp
#include "util/diagnostic.hpp"
#include "util/duration.hpp"

namespace pt {

using namespace std::chrono_literals;

struct Settings
{
  std::string timezone = "UTC";         // IANA zone for the default --as-of date
  SourceLocation timezone_origin;       // where the file sets it (no file: the default)
  Duration timeout = 30min;             // default per-task timeout
  Duration kill_timeout = 10s;          // SIGTERM -> SIGKILL grace
  std::uint64_t output_limit = 1 << 20; // bytes of output per task forwarded to the log
};

// Where each run leaves metrics for node_exporter's textfile collector ([metrics]).
struct MetricsSettings
{
  std::optional<std::filesystem::path> textfile; // absolute, ends in ".prom"; unset: no metrics
};

enum class TaskKind { command, sql };

// Which runs of a task may overlap: none anywhere in the cluster (cluster),
// none on this host (host: one flock per task), or any (none).
enum class Exclusive { cluster, host, none };

// Cluster mode ([cluster]): hosts sharing one PostgreSQL run each (task,
// slot) once (docs/cluster.md).
struct ClusterSettings
{
  std::string database;          // a [databases.NAME]: the coordinator
  Duration lease = 2min;         // a claim's life without a heartbeat, on the database clock
  Duration retention = 24h * 35; // finished claims kept; above every catch_up_window
  Duration max_clock_skew = 30s; // a host further off claims nothing
  SourceLocation origin;         // where [cluster] starts
  SourceLocation retention_origin;
};

// The shortest lease: a heartbeat every lease/3 must fit a round trip.
inline constexpr Duration k_min_lease = std::chrono::seconds(3);

// One calendar expression of a task's `schedule`, as written and as parsed
// (an expression without a zone is in settings.timezone: spec.zone names it).
struct Schedule
{
  std::string text;
  SourceLocation where; // the first character of the expression
  CalendarSpec spec;
};

// A PostgreSQL connection a SQL task can use ([databases.NAME]).
struct Database
{
  std::string name;
  std::string conninfo;                           // libpq keyword/value string or URI
  std::optional<std::string> password_file;       // absolute path; first line is the password
  std::optional<std::string> password_credential; // file name in $CREDENTIALS_DIRECTORY
  Duration connect_timeout = 10s;
  SourceLocation origin;
};

inline constexpr Duration k_default_catch_up_window = std::chrono::hours(24 * 7);

struct Task
{
  std::string name;
  std::string description;
  bool enabled = true;
  TaskKind kind = TaskKind::command;
  std::vector<std::string> command; // argv; argv[0] absolute
  std::string working_directory = "/";
  std::vector<std::pair<std::string, std::string>> environment; // in file order
  Duration timeout{};      // resolved: the task's own or settings.timeout
  Duration kill_timeout{}; // resolved: the task's own or settings.kill_timeout
  std::vector<int> success_exit_codes{0};
  std::optional<std::vector<std::string>> dry_run_args; // unset: a dry run starts nothing
  std::vector<int> retry_exit_codes;                    // command: exit codes worth a retry
  // SQL tasks
  std::string database;            // resolved: the only database when the task names none
  std::vector<std::string> sql;    // statements, run in order in one transaction
  std::vector<std::string> params; // run-context names bound as $1..$n
  // Both kinds
  int retries = 0;            // extra attempts after a retryable failure
  Duration retry_delay = 30s; // before the first retry; doubles each further one
  // Scheduled tasks: each on its own timer, periodic-tasks@NAME.timer
  std::vector<Schedule> schedule; // a union; empty: on periodic-tasks.timer with the others
  CatchUp catch_up = CatchUp::latest;
  Duration catch_up_window = k_default_catch_up_window; // older missed slots never run
  Duration randomized_delay{};                          // RandomizedDelaySec=
  std::optional<Duration> accuracy;                     // AccuracySec=; unset: see timer_accuracy()
  // resolved: the task's own, else cluster when [cluster] exists, else host
  Exclusive exclusive = Exclusive::host;
  SourceLocation origin; // where the [[task]] table starts
};

struct Config
{
  Settings settings;
  MetricsSettings metrics;
  std::vector<Database> databases;        // in file order
  std::optional<ClusterSettings> cluster; // unset: single-host mode
  std::vector<Task> tasks;                // run order: main file, then drop-ins by file name
  std::vector<std::string> sources;       // every file read, in order
};

// Returns the AccuracySec= of a scheduled `task`: its own `accuracy`, else 1s
// when a schedule fires more often than hourly (a minutely task must not
// drift by a minute), else systemd's default of 1min.
Duration timer_accuracy(const Task& task);

// Returns the expressions of `task`'s schedule that have no elapse after
// `now`: a date in the past ("2020-01-01") or a day that never comes
// ("*-02-30"). systemd accepts them and their timer never fires; `check`
// warns about each.
std::vector<const Schedule*> schedules_never_firing(const Task& task, CalendarTime now);

// Returns "all", "latest" or "none" (the config's words).
std::string_view to_string(CatchUp catch_up);

// Returns the task called `name`, or nullptr.
const Task* find_task(const Config& config, std::string_view name);

// Returns the argv a command `task` runs: `command`, plus `dry_run_args` in a dry run.
std::vector<std::string> command_argv(const Task& task, bool dry_run);

// Returns "cluster", "host" or "none" (the config's words).
std::string_view to_string(Exclusive exclusive);

// Returns "command" or "sql" (the TASK_KIND vocabulary).
std::string_view to_string(TaskKind kind);

// Returns the database called `name`, or nullptr.
const Database* find_database(const Config& config, std::string_view name);

// The run-context names a SQL task may bind with `params`.
inline constexpr const char* k_param_names[] = {"as_of", "run_id", "task", "dry_run", "slot"};

} // namespace pt
