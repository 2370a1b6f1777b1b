// SPDX-License-Identifier: MIT
// The node_exporter textfile on disk: read, merge and replace it atomically,
// one run at a time.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "journal/event_log.hpp"
#include "run/result.hpp"

namespace pt {

// Replaces the file at `path` with `update(its current text)` (the text is
// empty when the file does not exist), holding an exclusive flock on the
// file's directory for up to `lock_wait` while another writer holds it. The new
// file is complete or absent: written to a temp file in the same directory
// (mode 0644, fsynced), renamed over `path`, then the directory fsynced.
// Returns an error naming the step and the path that failed.
tl::expected<void, std::string>
rewrite_file_locked(const std::filesystem::path& path,
                    const std::function<std::string(std::string_view)>& update,
                    std::chrono::milliseconds lock_wait = std::chrono::seconds(10));

// Merges `summary` into the node_exporter textfile at `path` (a dry run
// writes nothing). A failure is logged on `log` as a metrics_failed warning
// and changes nothing else: never the task results, never the exit code.
void write_run_metrics(const std::filesystem::path& path, const RunSummary& summary,
                       const Config& config, EventLog& log);

} // namespace pt
