// SPDX-License-Identifier: MIT
// Reads the main file and its drop-ins from disk, with systemd's drop-in rules
// and cron's ownership rules, and forwards the text to the parser.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"

namespace pt {

// The system config: SYSCONFDIR/periodic-tasks/config.toml of the install
// (/etc/periodic-tasks/config.toml for a /usr install), set by CMake.
extern const char* const k_default_config;
inline constexpr const char* k_vendor_dropin_dir = "/usr/lib/periodic-tasks/tasks.d";

struct LoadOptions
{
  std::filesystem::path main_file;
  // Drop-in directories, highest priority first: a file name found in an
  // earlier directory hides the same name in later ones.
  std::vector<std::filesystem::path> dropin_dirs;
  // When set (running as root: 0), every file and directory read must be owned
  // by this uid and not group- or world-writable.
  std::optional<uid_t> required_owner;
};

// Returns the drop-in directories for `main_file`: its sibling tasks.d/, plus
// the vendor directory when `main_file` is the system config.
std::vector<std::filesystem::path> default_dropin_dirs(const std::filesystem::path& main_file);

// Loads, merges and validates the config described by `options`, including that
// settings.timezone is a real zone (so `check` and `run` accept the same configs).
tl::expected<Config, ConfigError> load_config(const LoadOptions& options);

} // namespace pt
