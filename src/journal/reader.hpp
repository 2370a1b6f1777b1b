// SPDX-License-Identifier: MIT
// Reading our own task records back from the journal: the seam `status` and
// `history` read through, and its sd-journal implementation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "run/result.hpp"

namespace pt {

// One "task started" or "task finished" record, as written by journal/records.cpp.
struct TaskRecord
{
  bool started = false;           // "task started"; else one of the records that end a task
  std::int64_t realtime_usec = 0; // when journald received it
  std::string task;
  std::string run_id;
  std::string as_of;
  bool dry_run = false;
  std::string trigger;     // timer | manual
  std::string kind;        // command | sql
  std::string position;    // "3/7" (started records)
  std::string skip_reason; // SKIP_REASON
  std::string exit_status; // EXIT_STATUS, may be empty
  std::string signal;      // SIGNAL, may be empty
  std::string sqlstate;    // SQLSTATE, may be empty
  std::string invocation;  // _SYSTEMD_INVOCATION_ID: which start of the unit wrote it
  std::int64_t duration_usec = 0;
  int attempts = 0;
  // TASK_RESULT (end records), parsed; none in start records or when not a word of ours
  std::optional<TaskResult> result;
};

// Which records to read; empty strings match everything.
struct RecordFilter
{
  std::string task;
  std::string run_id;
  std::string invocation;
  std::int64_t since_usec = 0; // only records received at or after this time
};

class TaskJournal
{
public:
  virtual ~TaskJournal() = default;
  // Calls `visit` with each of our task records that matches `filter`, newest
  // first, until it returns false or the records run out.
  virtual void newest_first(const RecordFilter& filter,
                            const std::function<bool(const TaskRecord&)>& visit) = 0;
};

// The system journal (or the journal files under `directory`), read with sd-journal.
class SdTaskJournal final : public TaskJournal
{
public:
  // Opens the local system journal, or the files in `directory` (like journalctl -D).
  static tl::expected<std::unique_ptr<SdTaskJournal>, std::string>
  open(const std::optional<std::filesystem::path>& directory);
  ~SdTaskJournal() override;
  SdTaskJournal(const SdTaskJournal&) = delete;
  SdTaskJournal& operator=(const SdTaskJournal&) = delete;

  void newest_first(const RecordFilter& filter,
                    const std::function<bool(const TaskRecord&)>& visit) override;

private:
  struct Handle;
  explicit SdTaskJournal(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> m_handle;
};

// What one walk of /run/log/journal and /var/log/journal found.
struct JournalFiles
{
  bool any = false; // a journal file, or a machine directory, exists
  // System journal files (or machine directories) this process may not read
  // (not root, not in the systemd-journal or adm group, no ACL): reading on
  // would silently show less.
  std::vector<std::filesystem::path> unreadable;
};
JournalFiles find_journal_files();

} // namespace pt
