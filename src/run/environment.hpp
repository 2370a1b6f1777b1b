// SPDX-License-Identifier: MIT
// The clean, identical environment every command task gets.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "run/result.hpp"

namespace pt {

inline constexpr const char* k_task_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Who the runner runs as, looked up once by the caller.
struct Identity
{
  std::string user;
  std::string home;
};

// Returns the entries every command task of a run shares: PATH, LANG, HOME,
// USER and LOGNAME as "NAME=value", built once per run.
std::vector<std::string> base_environment(const Identity& identity);

// Sets `env` to the environment for `task`: `base` (PATH, LANG, HOME, USER,
// LOGNAME), then the task's own variables (which may override those), then
// PERIODIC_TASKS_TASK, _RUN_ID, _AS_OF, _DRY_RUN and _SLOT. It reuses the
// strings `env` holds from the previous task: when the task has no variables
// of its own, only the PERIODIC_TASKS_* entries change, in place.
void task_environment(const Task& task, const std::vector<std::string>& base,
                      const RunContext& context, std::vector<std::string>& env);

// What execve() accepts (Linux): one argument or variable at most
// `max_string` bytes with its NUL (MAX_ARG_STRLEN, 32 pages), and all of them
// with their pointers at most `max_total` (sysconf(_SC_ARG_MAX), a quarter of
// the stack limit, so it can differ at run time).
struct ExecLimits
{
  std::size_t max_string = 0;
  std::size_t max_total = 0;
};

// The limits of this system, read once.
ExecLimits current_exec_limits();

// Returns why a command `task` could not start (E2BIG) in a run like
// `context` with the shared entries `base` (base_environment()): one line per
// problem, "task "NAME": ...; hint: ...", for `check` to warn about. Empty
// for SQL tasks and argvs that fit.
std::vector<std::string> exec_limit_warnings(const Task& task, const std::vector<std::string>& base,
                                             const RunContext& context, const ExecLimits& limits);

} // namespace pt
