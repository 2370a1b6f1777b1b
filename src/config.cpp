// SPDX-License-Identifier: MIT
#include "config.hpp"

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
