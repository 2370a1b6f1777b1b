// SPDX-License-Identifier: MIT
#include "run/environment.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <unistd.h>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace pt {

namespace {

// The environment under construction: entries in first-set order, each name
// indexed, so that setting a variable again replaces it in place in constant
// time (a task with 100,000 variables took 10 s with a scan per variable).
class EnvironmentBuilder
{
public:
  explicit EnvironmentBuilder(std::size_t expected)
  {
    m_entries.reserve(expected);
    m_index.reserve(expected);
  }

  void set(std::string_view name, std::string_view value)
  {
    std::string entry;
    entry.reserve(name.size() + 1 + value.size());
    entry.append(name).append("=").append(value);
    const auto [it, inserted] = m_index.try_emplace(std::string(name), m_entries.size());
    if (inserted) {
      m_entries.push_back(std::move(entry));
    } else {
      m_entries[it->second] = std::move(entry);
    }
  }

  std::vector<std::string> take() { return std::move(m_entries); }

private:
  std::vector<std::string> m_entries;
  std::unordered_map<std::string, std::size_t> m_index;
};

} // namespace

std::vector<std::string> base_environment(const Identity& identity)
{
  return {std::string("PATH=") + k_task_path, "LANG=C.UTF-8", "HOME=" + identity.home,
          "USER=" + identity.user, "LOGNAME=" + identity.user};
}

namespace {

// The variables of the run, after the task's own: name, then value.
std::array<std::pair<std::string_view, std::string_view>, 5>
run_variables(const Task& task, const RunContext& context)
{
  return {{{"PERIODIC_TASKS_TASK", task.name},
           {"PERIODIC_TASKS_RUN_ID", context.run_id},
           {"PERIODIC_TASKS_AS_OF", context.as_of},
           {"PERIODIC_TASKS_DRY_RUN", context.dry_run ? "1" : "0"},
           {"PERIODIC_TASKS_SLOT", context.slot}}};
}

} // namespace

void task_environment(const Task& task, const std::vector<std::string>& base,
                      const RunContext& context, std::vector<std::string>& env)
{
  const auto run = run_variables(task, context);
  if (!task.environment.empty()) {
    // Variables of its own may replace any other: build the block by name.
    EnvironmentBuilder builder(base.size() + task.environment.size() + run.size());
    for (const std::string& entry : base) {
      const auto equals = entry.find('=');
      builder.set(std::string_view(entry).substr(0, equals),
                  std::string_view(entry).substr(equals + 1));
    }
    for (const auto& [name, value] : task.environment) {
      builder.set(name, value);
    }
    for (const auto& [name, value] : run) {
      builder.set(name, value);
    }
    env = builder.take();
    return;
  }
  // The common case: base entries, then the run's, each assigned in place.
  env.resize(base.size() + run.size());
  std::size_t at = 0;
  for (const std::string& entry : base) {
    env[at++].assign(entry);
  }
  for (const auto& [name, value] : run) {
    env[at].assign(name).append("=").append(value);
    ++at;
  }
}

ExecLimits current_exec_limits()
{
  const long page = ::sysconf(_SC_PAGESIZE);
  const long arg_max = ::sysconf(_SC_ARG_MAX);
  ExecLimits limits;
  limits.max_string = 32 * static_cast<std::size_t>(page > 0 ? page : 4096);
  limits.max_total = arg_max > 0 ? static_cast<std::size_t>(arg_max) : 131072;
  return limits;
}

std::vector<std::string> exec_limit_warnings(const Task& task, const std::vector<std::string>& base,
                                             const RunContext& context, const ExecLimits& limits)
{
  std::vector<std::string> warnings;
  if (task.kind != TaskKind::command) {
    return warnings;
  }
  const auto warn = [&](const std::string& problem) {
    const std::string line = fmt::format("task \"{}\": {}; hint: pass large data in a file or on "
                                         "stdin",
                                         task.name, problem);
    if (std::find(warnings.begin(), warnings.end(), line) == warnings.end()) {
      warnings.push_back(line);
    }
  };
  // The environment of a dry run differs only in PERIODIC_TASKS_DRY_RUN's
  // value, "1" for "0": its sizes are those of a normal run.
  std::vector<std::string> env;
  task_environment(task, base, context, env);
  // The argv of a normal run, then of a dry run if it differs (dry_run_args).
  for (const bool dry_run : {false, true}) {
    if (dry_run && !task.dry_run_args) {
      break;
    }
    const char* mode = dry_run ? " in a dry run" : "";
    std::size_t total = 0;
    const auto add = [&](const std::vector<std::string>& strings, const char* what) {
      for (std::size_t i = 0; i < strings.size(); ++i) {
        const std::size_t size = strings[i].size() + 1;
        total += size + sizeof(char*);
        if (size > limits.max_string) {
          warn(fmt::format("{} {} is {} bytes; Linux starts no program with an argument or "
                           "variable over {} bytes (E2BIG), so this task cannot start",
                           what, i + 1, size, limits.max_string));
        }
      }
    };
    add(command_argv(task, dry_run), "argument");
    add(env, "environment entry");
    if (total > limits.max_total) {
      warn(fmt::format("its arguments and environment{} take {} bytes, over this system's "
                       "limit of {} (ARG_MAX, a quarter of the stack size limit), so it would "
                       "fail to start (E2BIG)",
                       mode, total, limits.max_total));
    }
  }
  return warnings;
}

} // namespace pt
