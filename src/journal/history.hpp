// SPDX-License-Identifier: MIT
// Task runs and task status, assembled from the journal's task records: the
// answers to "did it run, did it work, what is running now".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "journal/reader.hpp"
#include "run/result.hpp"
#include "run/task_lock.hpp"

namespace pt {

// How far a run got: it ended (a record says how), it is running (no end
// record yet, and its lock is held now), or it is unfinished (none will come:
// the runner was SIGKILLed or the machine died).
enum class RunState { ended, running, unfinished };

// What became of a run: the TaskResult its end record names, or the state of
// a run that no record ended.
struct RunResult
{
  RunState state = RunState::ended;
  std::optional<TaskResult> ended; // ended: the TASK_RESULT; none when it names none of ours

  bool operator==(const RunResult&) const = default;
};

// Returns the TASK_RESULT word, "running" or "unfinished" (empty for an end
// record without a result of ours).
std::string_view to_string(const RunResult& result);

// Returns whether `result` means the task did not do its job (failed,
// timeout, killed, error, unfinished).
bool is_failure(const RunResult& result);

// One run of one task: its "started" record and the record that ended it.
struct TaskRun
{
  // The run's fields: those of the record that ended it, or of its start
  // record while none did, with the start record's TASK_POSITION ("3/7")
  // whenever that was found.
  TaskRecord record;
  RunResult result;
  std::int64_t started_usec = 0;             // wall clock
  std::optional<std::int64_t> finished_usec; // none while running or unfinished
  long holder_pid = 0;                       // running: the runner's pid
};

struct HistoryQuery
{
  RecordFilter filter;
  std::size_t limit = 20; // 0: no limit
  bool failed_only = false;
};

// Returns the task runs matching `query`, newest first, each once.
std::vector<TaskRun> read_history(TaskJournal& journal, const HistoryQuery& query,
                                  const LockProbe& locks);

struct TaskStatus
{
  std::string task;
  bool enabled = true;
  // The newest real run: not a dry run, not skipped, not the one running now.
  std::optional<TaskRun> last;
  std::optional<std::int64_t> last_success_usec; // start of the newest successful run
  int consecutive_failures = 0;                  // real runs since the last success
  LockState lock;                                // held now: some run is running the task
  std::optional<TaskRun> running;                // its start record, when the journal has it
  // A scheduled task (filled from the config and the slot state, not the journal):
  std::string schedule;                    // its expressions, normalized; empty: none
  std::optional<std::int64_t> next_usec;   // its next elapse, when enabled
  std::vector<std::int64_t> catch_up_usec; // missed slots a run now would catch up on
  std::string slot_error;                  // why its slot state could not be read
};

// Returns what the journal and the task's lock say about `task`.
TaskStatus read_status(TaskJournal& journal, const Task& task, const LockProbe& locks);

} // namespace pt

namespace pt {

// Parses `history --since`: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local
// time), "today", "yesterday", or a time span meaning that long before
// `now_usec` ("2d", "1h 30min", "-2d", "3h ago"). Returns microseconds since
// the epoch, or why the text is not a time.
tl::expected<std::int64_t, std::string> parse_since(std::string_view text, std::int64_t now_usec);

} // namespace pt
