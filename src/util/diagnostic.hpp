// SPDX-License-Identifier: MIT
// Error values and the one exception type that aborts a whole run.
#pragma once

#include <stdexcept>
#include <string>

namespace pt {

// Exit codes are a contract (docs/cli.md); never renumber them.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_task_failed = 1;
inline constexpr int k_exit_usage = 64;
inline constexpr int k_exit_unavailable =
    69;                                    // EX_UNAVAILABLE: the cluster database cannot be reached
inline constexpr int k_exit_internal = 70; // EX_SOFTWARE: an unexpected exception, a bug
inline constexpr int k_exit_os_error = 71; // EX_OSERR: the system failed us (no random bytes)
inline constexpr int k_exit_busy = 75;
inline constexpr int k_exit_no_permission = 77; // status/history may not read the journal
inline constexpr int k_exit_config = 78;
// 128 + the signal that stopped the run, as a shell reports it: 130 for
// SIGINT, 143 for SIGTERM (and the signals taken as it).
inline constexpr int k_exit_signal_base = 128;

// A place in a config file; `line` and `column` are 1-based, 0 when unknown.
struct SourceLocation
{
  std::string file;
  int line = 0;
  int column = 0;
};

// An invalid or untrusted config: where, what is wrong, and how to fix it.
struct ConfigError
{
  SourceLocation where;
  std::string problem;
  std::string hint; // may be empty
};

// Renders `loc` as "FILE:LINE:COL", dropping the parts that are unknown.
std::string format_location(const SourceLocation& loc);

// Renders `error` as "FILE:LINE:COL: problem; hint".
std::string format_config_error(const ConfigError& error);

// Aborts the run: caught once in app/app.cpp, printed as "periodic_tasks: error: what()"
// and turned into `exit_code`.
class Fatal : public std::runtime_error
{
public:
  Fatal(int exit_code, const std::string& message)
      : std::runtime_error(message), m_exit_code(exit_code)
  {
  }
  int exit_code() const { return m_exit_code; }

private:
  int m_exit_code;
};

} // namespace pt
