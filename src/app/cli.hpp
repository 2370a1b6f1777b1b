// SPDX-License-Identifier: MIT
// The command line; the only file that knows CLI11.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pt {

enum class Command { run, list, check, status, history, calendar, cluster_init, version };

struct CliOptions
{
  Command command = Command::run;
  std::optional<std::string> config_path; // --config
  std::vector<std::string> tasks;         // run TASK..., status TASK..., history [TASK]
  bool dry_run = false;
  bool scheduled = false;           // run --scheduled TASK: the timer's run of its slots
  std::optional<std::string> as_of; // --as-of, unvalidated
  bool json = false;
  // status and history
  std::optional<std::string> journal_directory; // -D, --directory
  // history
  std::size_t limit = 20;           // -n, 0 for all
  std::optional<std::string> since; // --since, unvalidated
  std::string invocation;           // --invocation: a systemd invocation id
  std::string run_id;               // --run
  bool failed_only = false;         // --failed
  // calendar
  std::vector<std::string> expressions;
  std::optional<std::string> base_time; // --base-time, unvalidated
  std::size_t iterations = 1;           // --iterations
  std::string timezone = "UTC";         // --timezone
  // cluster init
  bool print_sql = false; // --print: print the SQL instead of running it
};

// What parsing produced: options to act on, or text to print and an exit code
// (for --help, --version handled by caller, and usage errors).
struct CliParse
{
  std::optional<CliOptions> options;
  std::string output; // --help text (stdout) or the usage error (stderr)
  int exit_code = 0;
};

// Parses `argv`; never exits the process.
CliParse parse_command_line(int argc, const char* const* argv);

} // namespace pt
