// SPDX-License-Identifier: MIT
// The generator's side effects: its files in the output directory, and its
// messages to the kernel log (/dev/kmsg), where a generator's belong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "generator/units.hpp"

namespace pt {

// Writes `files` under `directory` (creating the directories they need, files
// 0644), or returns why not, naming the path.
tl::expected<void, std::string> write_generated(const std::string& directory,
                                                const std::vector<GeneratedFile>& files);

// Syslog priorities of generator messages.
enum class LogLevel { err = 3, warning = 4, info = 6 };

// Logs "periodic-tasks-generator: MESSAGE" at `level`: to /dev/kmsg, or to
// stderr when $SYSTEMD_LOG_TARGET is "console" (as systemd's own generators
// do) or the kernel log cannot be opened.
void generator_log(LogLevel level, std::string_view message);

} // namespace pt
