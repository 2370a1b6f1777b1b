// SPDX-License-Identifier: MIT
// The configuration as plain structs with defaults (docs/configuration.md is the contract).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diagnostic.hpp"
#include "duration.hpp"

namespace pt {

using namespace std::chrono_literals;

struct Settings
{
  std::string timezone = "UTC";          // IANA zone for the default --as-of date
  Duration timeout = 30min;              // default per-task timeout
  Duration kill_timeout = 10s;           // SIGTERM -> SIGKILL grace
  std::uint64_t output_limit = 1 << 20;  // bytes of output per task forwarded to the log
};

enum class TaskKind { command };

struct Task
{
  std::string name;
  std::string description;
  bool enabled = true;
  TaskKind kind = TaskKind::command;
  std::vector<std::string> command;                           // argv; argv[0] absolute
  std::string working_directory = "/";
  std::vector<std::pair<std::string, std::string>> environment; // in file order
  Duration timeout{};       // resolved: the task's own or settings.timeout
  Duration kill_timeout{};  // resolved: the task's own or settings.kill_timeout
  std::vector<int> success_exit_codes{0};
  std::optional<std::vector<std::string>> dry_run_args;       // unset: a dry run starts nothing
  SourceLocation origin;    // where the [[task]] table starts
};

struct Config
{
  Settings settings;
  std::vector<Task> tasks;           // run order: main file, then drop-ins by file name
  std::vector<std::string> sources;  // every file read, in order
};

// Returns the task called `name`, or nullptr.
const Task* find_task(const Config& config, std::string_view name);

} // namespace pt
