// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "run/selection.hpp"

using namespace pt;

namespace {

Config three_tasks()
{
  Config config;
  for (const char* name : {"cleanup", "report", "backup"}) {
    Task task;
    task.name = name;
    task.enabled = std::string(name) != "report";
    config.tasks.push_back(task);
  }
  return config;
}

std::vector<std::string> names(const std::vector<const Task*>& tasks)
{
  std::vector<std::string> out;
  for (const auto* task : tasks) {
    out.push_back(task->name);
  }
  return out;
}

} // namespace

TEST_CASE("select_tasks: no names means every enabled task in config order")
{
  const Config config = three_tasks();
  CHECK(names(select_tasks(config, {}).value()) == std::vector<std::string>{"cleanup", "backup"});
}

TEST_CASE("select_tasks: no names leaves out scheduled tasks (their timers run them); names do not")
{
  Config config = three_tasks();
  config.tasks[2].schedule.push_back({"daily", {}, parse_calendar("daily").value()});
  CHECK(names(select_tasks(config, {}).value()) == std::vector<std::string>{"cleanup"});
  CHECK(names(select_tasks(config, {"backup"}).value()) == std::vector<std::string>{"backup"});
}

TEST_CASE("select_tasks: named tasks run in the order given, disabled ones too, once each")
{
  const Config config = three_tasks();
  CHECK(names(select_tasks(config, {"report", "cleanup", "report"}).value()) ==
        std::vector<std::string>{"report", "cleanup"});
}

TEST_CASE("select_tasks: an unknown name suggests the closest one")
{
  const Config config = three_tasks();
  CHECK(select_tasks(config, {"cleanpu"}).error() ==
        "unknown task \"cleanpu\"; did you mean \"cleanup\"?");
  CHECK(select_tasks(config, {"zzz"}).error() == "unknown task \"zzz\"; see `periodic_tasks list`");
  CHECK(select_tasks(Config{}, {"x"}).error() == "unknown task \"x\"; the config defines no tasks");
}
