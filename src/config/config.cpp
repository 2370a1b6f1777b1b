// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <algorithm>

namespace pt {

const Task* find_task(const Config& config, std::string_view name)
{
  for (const auto& task : config.tasks) {
    if (task.name == name) {
      return &task;
    }
  }
  return nullptr;
}

std::vector<std::string> command_argv(const Task& task, bool dry_run)
{
  std::vector<std::string> argv = task.command;
  if (dry_run && task.dry_run_args) {
    argv.insert(argv.end(), task.dry_run_args->begin(), task.dry_run_args->end());
  }
  return argv;
}

std::string_view to_string(TaskKind kind)
{
  switch (kind) {
  case TaskKind::command:
    return "command";
  case TaskKind::sql:
    return "sql";
  }
  return "command";
}

Duration timer_accuracy(const Task& task)
{
  if (task.accuracy) {
    return *task.accuracy;
  }
  const bool frequent =
      std::any_of(task.schedule.begin(), task.schedule.end(),
                  [](const Schedule& s) { return fires_more_than_hourly(s.spec); });
  return frequent ? Duration(1s) : Duration(1min);
}

std::vector<const Schedule*> schedules_never_firing(const Task& task, CalendarTime now)
{
  std::vector<const Schedule*> never;
  for (const Schedule& schedule : task.schedule) {
    if (!next_elapse(schedule.spec, now)) {
      never.push_back(&schedule);
    }
  }
  return never;
}

std::string_view to_string(CatchUp catch_up)
{
  switch (catch_up) {
  case CatchUp::all:
    return "all";
  case CatchUp::latest:
    return "latest";
  case CatchUp::none:
    return "none";
  }
  return "latest";
}

std::string_view to_string(Exclusive exclusive)
{
  switch (exclusive) {
  case Exclusive::cluster:
    return "cluster";
  case Exclusive::host:
    return "host";
  case Exclusive::none:
    return "none";
  }
  return "host";
}

const Database* find_database(const Config& config, std::string_view name)
{
  for (const auto& database : config.databases) {
    if (database.name == name) {
      return &database;
    }
  }
  return nullptr;
}

} // namespace pt
