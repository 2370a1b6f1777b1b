// SPDX-License-Identifier: MIT
// The run summary for people (a table) and for programs (one JSON object).
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "run/result.hpp"
#include "schedule/timestamp.hpp"

namespace pt {

// Renders `summary` as an aligned table with a closing totals line.
std::string render_summary_text(const RunSummary& summary);

// Renders `summary` as one JSON object (docs/cli.md documents the schema).
std::string render_summary_json(const RunSummary& summary, int exit_code);

// Renders the `list` output for `config`: run order, kind, enabled, timeout,
// schedule, the next elapse after `now` and source.
std::string render_task_list_text(const Config& config, TimePoint now);
std::string render_task_list_json(const Config& config, TimePoint now);

// Returns when the timer of `task` fires next after `now`: nullopt when it
// has no schedule or is disabled (it has no timer then).
std::optional<TimePoint> next_run(const Task& task, TimePoint now);

} // namespace pt
