// SPDX-License-Identifier: MIT
// What a task's end means: a ProcessResult (or a reason not to run) becomes a TaskOutcome.
#pragma once

#include <string>

#include "postgres/sql.hpp"
#include "process/process.hpp"
#include "run/output_capture.hpp"
#include "run/result.hpp"

namespace pt {

// Returns the outcome of `task` whose process ended as `result`, with the
// output figures and tail from `capture`.
TaskOutcome outcome_from_process(const ProcessResult& result, const Task& task,
                                 const OutputCapture& capture);

// Returns the outcome of SQL `task` whose transaction ended as `result`.
TaskOutcome outcome_from_sql(const SqlResult& result, const Task& task,
                             const OutputCapture& capture, bool dry_run);

// Writes the columns and first rows of `result` to `sink`, as psql would show them.
void write_sql_preview(const SqlResult& result, OutputSink& sink);

// Returns a skipped outcome for `task` with `reason` and a one-line `detail`.
TaskOutcome skipped_outcome(const Task& task, SkipReason reason, std::string detail);

} // namespace pt
