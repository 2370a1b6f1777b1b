// SPDX-License-Identifier: MIT
#include "run/selection.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/suggest.hpp"

namespace pt {

namespace {

std::string unknown_task_message(const Config& config, const std::string& name)
{
  std::vector<std::string> known;
  for (const auto& task : config.tasks) {
    known.push_back(task.name);
  }
  std::string message = fmt::format("unknown task \"{}\"", name);
  if (auto match = closest_match(name, known)) {
    message += fmt::format("; did you mean \"{}\"?", *match);
  } else if (known.empty()) {
    message += "; the config defines no tasks";
  } else {
    message += "; see `periodic_tasks list`";
  }
  return message;
}

} // namespace

tl::expected<std::vector<const Task*>, std::string>
select_tasks(const Config& config, const std::vector<std::string>& names)
{
  std::vector<const Task*> selected;
  if (names.empty()) {
    for (const auto& task : config.tasks) {
      if (task.enabled && task.schedule.empty()) { // scheduled ones run on their own timers
        selected.push_back(&task);
      }
    }
    return selected;
  }
  for (const auto& name : names) {
    const Task* task = find_task(config, name);
    if (task == nullptr) {
      return tl::unexpected(unknown_task_message(config, name));
    }
    if (std::find(selected.begin(), selected.end(), task) == selected.end()) {
      selected.push_back(task);
    }
  }
  return selected;
}

} // namespace pt
