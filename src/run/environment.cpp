// SPDX-License-Identifier: MIT
#include "run/environment.hpp"

#include <algorithm>

namespace pt {

namespace {

void set_variable(std::vector<std::string>& env, const std::string& name, const std::string& value)
{
  const std::string prefix = name + "=";
  auto it = std::find_if(env.begin(), env.end(),
                         [&](const std::string& entry) { return entry.starts_with(prefix); });
  if (it != env.end()) {
    *it = prefix + value;
  } else {
    env.push_back(prefix + value);
  }
}

} // namespace

std::vector<std::string> task_environment(const Task& task, const Identity& identity,
                                          const RunContext& context)
{
  std::vector<std::string> env;
  set_variable(env, "PATH", k_task_path);
  set_variable(env, "LANG", "C.UTF-8");
  set_variable(env, "HOME", identity.home);
  set_variable(env, "USER", identity.user);
  set_variable(env, "LOGNAME", identity.user);
  for (const auto& [name, value] : task.environment) {
    set_variable(env, name, value);
  }
  set_variable(env, "PERIODIC_TASKS_TASK", task.name);
  set_variable(env, "PERIODIC_TASKS_RUN_ID", context.run_id);
  set_variable(env, "PERIODIC_TASKS_AS_OF", context.as_of);
  set_variable(env, "PERIODIC_TASKS_DRY_RUN", context.dry_run ? "1" : "0");
  return env;
}

} // namespace pt
