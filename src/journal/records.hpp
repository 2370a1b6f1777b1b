// SPDX-License-Identifier: MIT
// The journal vocabulary of a run: which records, with which MESSAGE_ID,
// PRIORITY, MESSAGE and fields (docs/cli.md is the contract).
#pragma once

#include <string>
#include <vector>

#include "journal/event_log.hpp"
#include "run/result.hpp"
#include "schedule/slots.hpp"

namespace pt {

// Returns the fields every record about `task` carries (TASK, RUN_ID, AS_OF, ...).
std::vector<Field> task_fields(const Task& task, const RunRequest& request);

// Emits "run started" with the number of selected tasks.
void emit_run_started(EventLog& log, const RunRequest& request);

// Emits "task started" for `task`, the `position`-th of the request's tasks.
void emit_task_started(EventLog& log, const Task& task, const RunRequest& request,
                       std::size_t position);

// Emits "attempt N of M failed; retrying in WAIT" for a retryable `outcome`.
void emit_task_retry(EventLog& log, const Task& task, const TaskOutcome& outcome,
                     std::vector<Field> fields, Duration wait);

// Emits the record that ends `task`: succeeded, failed, timed out, killed, error or skipped.
void emit_task_finished(EventLog& log, const Task& task, const TaskOutcome& outcome,
                        std::vector<Field> fields);

// Emits the debug record of which slots a scheduled run of `task` runs and
// why (a warning when more were missed than one run runs).
void emit_slots_planned(EventLog& log, const Task& task, const SlotPlan& plan,
                        const TimerFiring& firing);

// Emits "run finished" or, after a stop request, "run interrupted" naming what did not run.
void emit_run_finished(EventLog& log, const RunRequest& request, const RunSummary& summary);

} // namespace pt
