// SPDX-License-Identifier: MIT
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "run/environment.hpp"

namespace pt {

namespace {

Task task_with(std::vector<std::pair<std::string, std::string>> environment)
{
  Task task;
  task.name = "cleanup";
  task.environment = std::move(environment);
  return task;
}

const RunContext k_context{"0123456789abcdef0123456789abcdef", "2026-12-04", false};
const Identity k_identity{"ops", "/home/ops"};

// The environment of `task` built afresh, as for the first task of a run.
std::vector<std::string> task_environment(const Task& task, const Identity& identity,
                                          const RunContext& context)
{
  std::vector<std::string> env;
  pt::task_environment(task, base_environment(identity), context, env);
  return env;
}

} // namespace

TEST_CASE("task_environment: the base variables, the task's own, then the run's")
{
  const auto env = task_environment(task_with({{"APP_ENV", "prod"}}), k_identity, k_context);
  CHECK(env ==
        std::vector<std::string>{
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
            "HOME=/home/ops", "USER=ops", "LOGNAME=ops", "APP_ENV=prod",
            "PERIODIC_TASKS_TASK=cleanup", "PERIODIC_TASKS_RUN_ID=0123456789abcdef0123456789abcdef",
            "PERIODIC_TASKS_AS_OF=2026-12-04", "PERIODIC_TASKS_DRY_RUN=0", "PERIODIC_TASKS_SLOT="});
}

TEST_CASE("task_environment: a variable set again keeps its place and takes the last value")
{
  SUBCASE("the task overrides a base variable")
  {
    const auto env = task_environment(task_with({{"LANG", "de_DE.UTF-8"}}), k_identity, k_context);
    REQUIRE(env.size() == 10);
    CHECK(env[1] == "LANG=de_DE.UTF-8");
  }
  SUBCASE("the run's variables win over the task's")
  {
    const auto env =
        task_environment(task_with({{"PERIODIC_TASKS_TASK", "forged"}}), k_identity, k_context);
    REQUIRE(env.size() == 10);
    CHECK(env[5] == "PERIODIC_TASKS_TASK=cleanup");
  }
  SUBCASE("a name that is a prefix of another is another variable")
  {
    const auto env =
        task_environment(task_with({{"PATHX", "1"}, {"HOM", "2"}}), k_identity, k_context);
    CHECK(env.size() == 12);
    CHECK(env[0].starts_with("PATH=/usr/local/sbin"));
    CHECK(env[2] == "HOME=/home/ops");
  }
}

TEST_CASE("task_environment: 100,000 variables, each once, in order")
{
  std::vector<std::pair<std::string, std::string>> vars;
  vars.reserve(100'000);
  for (int i = 0; i < 100'000; ++i) {
    vars.emplace_back("V" + std::to_string(i), std::to_string(i));
  }
  vars.emplace_back("V7", "again");
  const auto env = task_environment(task_with(std::move(vars)), k_identity, k_context);
  REQUIRE(env.size() == 100'000 + 10);
  CHECK(env[5] == "V0=0");
  CHECK(env[5 + 7] == "V7=again");
  CHECK(env[5 + 99'999] == "V99999=99999");
  CHECK(env.back() == "PERIODIC_TASKS_SLOT=");
}

TEST_CASE("task_environment: one vector reused from task to task is each task's own block")
{
  // As the runner does: one base per run, one vector patched task after task.
  const std::vector<std::string> base = base_environment(k_identity);
  std::vector<std::string> env;
  RunContext dry = k_context;
  dry.dry_run = true;
  dry.slot = "2026-12-07T07:00:00Z";
  const std::vector<std::pair<Task, RunContext>> tasks{
      {task_with({}), k_context},
      {task_with({{"APP_ENV", "prod"}, {"EXTRA", "1"}, {"MORE", "2"}}), k_context},
      {task_with({}), dry},
      {task_with({{"HOME", "/srv"}}), k_context},
      {task_with({}), k_context},
  };
  for (const auto& [task, context] : tasks) {
    pt::task_environment(task, base, context, env);
    CHECK(env == task_environment(task, k_identity, context));
  }
  CHECK(env.size() == 10);
  CHECK(env.back() == "PERIODIC_TASKS_SLOT=");
}

TEST_CASE("exec_limit_warnings: what execve() would refuse, named before a run")
{
  const ExecLimits limits{100, 600};
  Task task = task_with({});
  task.command = {"/usr/bin/app", "short"};
  SUBCASE("an argv that fits: nothing")
  {
    CHECK(exec_limit_warnings(task, base_environment(k_identity), k_context, limits).empty());
  }
  SUBCASE("one argument over the per-string limit (its NUL counts)")
  {
    task.command.push_back(std::string(100, 'x'));
    CHECK(exec_limit_warnings(task, base_environment(k_identity), k_context, limits) ==
          std::vector<std::string>{
              "task \"cleanup\": argument 3 is 101 bytes; Linux starts no program with an "
              "argument or variable over 100 bytes (E2BIG), so this task cannot start; hint: "
              "pass large data in a file or on stdin"});
    task.command.back().pop_back();
    CHECK(exec_limit_warnings(task, base_environment(k_identity), k_context, limits).empty());
  }
  SUBCASE("a variable over the per-string limit, counted as NAME=value")
  {
    task.environment = {{"BIG", std::string(96, 'v')}};
    const auto warnings =
        exec_limit_warnings(task, base_environment(k_identity), k_context, limits);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].starts_with("task \"cleanup\": environment entry 6 is 101 bytes"));
  }
  SUBCASE("all of them over the total, pointers included")
  {
    task.environment = {
        {"A", std::string(90, 'a')}, {"B", std::string(90, 'b')}, {"C", std::string(90, 'c')}};
    const auto warnings =
        exec_limit_warnings(task, base_environment(k_identity), k_context, limits);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].starts_with("task \"cleanup\": its arguments and environment take "));
    CHECK(warnings[0].find("over this system's limit of 600 (ARG_MAX") != std::string::npos);
  }
  SUBCASE("dry_run_args: the dry run's argv is checked too, and said so")
  {
    task.dry_run_args = std::vector<std::string>{std::string(100, 'd')};
    const auto warnings =
        exec_limit_warnings(task, base_environment(k_identity), k_context, limits);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].starts_with("task \"cleanup\": argument 3 is 101 bytes"));
  }
  SUBCASE("an SQL task starts no program")
  {
    task.kind = TaskKind::sql;
    task.command.push_back(std::string(500, 'x'));
    CHECK(exec_limit_warnings(task, base_environment(k_identity), k_context, limits).empty());
  }
}

TEST_CASE("current_exec_limits: Linux's 32 pages per string, ARG_MAX in total")
{
  const ExecLimits limits = current_exec_limits();
  CHECK(limits.max_string >= 32 * 4096);
  CHECK(limits.max_total >= limits.max_string);
}

} // namespace pt
