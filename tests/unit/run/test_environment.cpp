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

} // namespace

TEST_CASE("task_environment: the base variables, the task's own, then the run's")
{
  const auto env = task_environment(task_with({{"APP_ENV", "prod"}}), k_identity, k_context);
  CHECK(env == std::vector<std::string>{
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "LANG=C.UTF-8", "HOME=/home/ops", "USER=ops", "LOGNAME=ops", "APP_ENV=prod",
                   "PERIODIC_TASKS_TASK=cleanup",
                   "PERIODIC_TASKS_RUN_ID=0123456789abcdef0123456789abcdef",
                   "PERIODIC_TASKS_AS_OF=2026-12-04", "PERIODIC_TASKS_DRY_RUN=0"});
}

TEST_CASE("task_environment: a variable set again keeps its place and takes the last value")
{
  SUBCASE("the task overrides a base variable")
  {
    const auto env = task_environment(task_with({{"LANG", "de_DE.UTF-8"}}), k_identity, k_context);
    REQUIRE(env.size() == 9);
    CHECK(env[1] == "LANG=de_DE.UTF-8");
  }
  SUBCASE("the run's variables win over the task's")
  {
    const auto env =
        task_environment(task_with({{"PERIODIC_TASKS_TASK", "forged"}}), k_identity, k_context);
    REQUIRE(env.size() == 9);
    CHECK(env[5] == "PERIODIC_TASKS_TASK=cleanup");
  }
  SUBCASE("a name that is a prefix of another is another variable")
  {
    const auto env =
        task_environment(task_with({{"PATHX", "1"}, {"HOM", "2"}}), k_identity, k_context);
    CHECK(env.size() == 11);
    CHECK(env[0].starts_with("PATH=/usr/local/sbin"));
    CHECK(env[2] == "HOME=/home/ops");
  }
}

TEST_CASE("task_environment: 100,000 variables, each once, in order")
{
  std::vector<std::pair<std::string, std::string>> vars;
  for (int i = 0; i < 100'000; ++i) {
    vars.emplace_back("V" + std::to_string(i), std::to_string(i));
  }
  vars.emplace_back("V7", "again");
  const auto env = task_environment(task_with(std::move(vars)), k_identity, k_context);
  REQUIRE(env.size() == 100'000 + 9);
  CHECK(env[5] == "V0=0");
  CHECK(env[5 + 7] == "V7=again");
  CHECK(env[5 + 99'999] == "V99999=99999");
  CHECK(env.back() == "PERIODIC_TASKS_DRY_RUN=0");
}

} // namespace pt
