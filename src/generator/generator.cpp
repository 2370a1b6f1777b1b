// SPDX-License-Identifier: MIT
#include "generator/generator.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "config/loader.hpp"
#include "generator/output.hpp"
#include "generator/units.hpp"

#ifndef PT_SYSTEMD_UNITDIR
#define PT_SYSTEMD_UNITDIR "/usr/lib/systemd/system"
#endif

namespace pt {

int generator_main(int argc, char** argv)
{
  // 1. systemd passes three directories; one is enough by hand.
  if (argc != 2 && argc != 4) {
    generator_log(LogLevel::err, "usage: periodic-tasks-generator NORMAL_DIR [EARLY_DIR LATE_DIR]");
    return 1;
  }
  const std::string output = argv[1];

  // 2. The config, with the trust rule `run` applies (root: files root owns,
  // nobody else can write). No config file: nothing is scheduled, nothing to say.
  LoadOptions options;
  const char* env = std::getenv("PERIODIC_TASKS_CONFIG");
  options.main_file = env != nullptr && *env != '\0' ? env : k_default_config;
  options.dropin_dirs = default_dropin_dirs(options.main_file);
  if (::geteuid() == 0) {
    options.required_owner = 0;
  }
  std::error_code ec;
  if (!std::filesystem::exists(options.main_file, ec)) {
    return 0;
  }
  const auto config = load_config(options);
  if (!config) {
    generator_log(LogLevel::err,
                  fmt::format("{}; no scheduled task has a timer until the config is fixed "
                              "(see `periodic_tasks check`)",
                              format_config_error(config.error())));
    return 0;
  }

  // 3. One timer drop-in and one wants link per scheduled task.
  UnitPaths paths;
  paths.unit_dir = PT_SYSTEMD_UNITDIR;
  if (auto written = write_generated(output, scheduled_units(*config, paths)); !written) {
    generator_log(LogLevel::err, written.error());
    return 1;
  }
  return 0;
}

} // namespace pt
