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

// Returns the environment for `task`: PATH, LANG, HOME, USER, LOGNAME, then the
// task's own variables (which may override those), then PERIODIC_TASKS_TASK,
// _RUN_ID, _AS_OF and _DRY_RUN.
std::vector<std::string> task_environment(const Task& task, const Identity& identity,
                                          const RunContext& context);

} // namespace pt
