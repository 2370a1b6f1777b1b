// SPDX-License-Identifier: MIT
// A task run spans several records: "started", maybe retries and output
// lines (not read here), then exactly one record that ends it — unless the
// runner died. Records arrive newest first, so an end record opens a run and
// the older start record completes it; a start record with no end is running
// (its lock is held now and it is the task's newest record) or unfinished.
#include "journal/history.hpp"

#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "util/duration.hpp"

namespace pt {

namespace {

TaskRun run_from(const TaskRecord& record)
{
  TaskRun run;
  run.record = record;
  if (record.started) {
    run.started_usec = record.realtime_usec;
    return run;
  }
  run.result.ended = record.result;
  run.finished_usec = record.realtime_usec;
  // Until the start record is found (skips and some errors have none).
  run.started_usec = record.realtime_usec - record.duration_usec;
  return run;
}

// Completes `run` with its start record `start`.
void add_start(TaskRun& run, const TaskRecord& start)
{
  run.started_usec = start.realtime_usec;
  run.record.position = start.position;
}

// Pairs records into runs, newest first.
class RunAssembler
{
public:
  explicit RunAssembler(const LockProbe& locks) : m_locks(locks) {}

  // Adds the next (older) record; returns the run it opened, or nullptr when
  // it completed a run already returned.
  const TaskRun* add(const TaskRecord& record)
  {
    const bool newest_of_task = m_seen_tasks.insert(record.task).second;
    const std::string key = record.run_id + '\n' + record.task;
    if (record.started) {
      if (auto it = m_open.find(key); it != m_open.end()) {
        add_start(m_runs[it->second], record);
        m_open.erase(it);
        return nullptr;
      }
      TaskRun run = run_from(record);
      const LockState lock = newest_of_task ? m_locks.probe(record.task) : LockState{};
      run.result.state = lock.held ? RunState::running : RunState::unfinished;
      run.holder_pid = lock.holder_pid;
      m_runs.push_back(std::move(run));
      return &m_runs.back();
    }
    if (m_open.count(key) != 0) {
      return nullptr; // a second end record for one run: not ours to make sense of
    }
    m_open.emplace(key, m_runs.size());
    m_runs.push_back(run_from(record));
    return &m_runs.back();
  }

  // Returns the runs whose start record has not been seen (yet).
  std::vector<std::size_t> open_runs() const
  {
    std::vector<std::size_t> open;
    for (const auto& [key, index] : m_open) {
      open.push_back(index);
    }
    return open;
  }

  std::vector<TaskRun>& runs() { return m_runs; }

private:
  const LockProbe& m_locks;
  std::vector<TaskRun> m_runs; // deque-like use: indexes stay valid, pointers until the next add
  std::map<std::string, std::size_t> m_open; // run id + task -> index of a run missing its start
  std::set<std::string> m_seen_tasks;
};

// Finds the start record of `run` with an exact match (cheap: indexed fields).
void find_start(TaskJournal& journal, TaskRun& run)
{
  RecordFilter filter;
  filter.task = run.record.task;
  filter.run_id = run.record.run_id;
  journal.newest_first(filter, [&](const TaskRecord& record) {
    if (!record.started) {
      return true;
    }
    add_start(run, record);
    return false;
  });
}

} // namespace

std::string_view to_string(const RunResult& result)
{
  switch (result.state) {
  case RunState::ended:
    return result.ended ? to_string(*result.ended) : std::string_view();
  case RunState::running:
    return "running";
  case RunState::unfinished:
    return "unfinished";
  }
  return {};
}

bool is_failure(const RunResult& result)
{
  switch (result.state) {
  case RunState::running:
    return false;
  case RunState::unfinished:
    return true;
  case RunState::ended:
    break;
  }
  if (!result.ended) {
    return false;
  }
  switch (*result.ended) {
  case TaskResult::success:
  case TaskResult::skipped:
    return false;
  case TaskResult::failed:
  case TaskResult::timeout:
  case TaskResult::killed:
  case TaskResult::error:
    return true;
  }
  return false;
}

std::vector<TaskRun> read_history(TaskJournal& journal, const HistoryQuery& query,
                                  const LockProbe& locks)
{
  RunAssembler assembler(locks);
  std::size_t kept = 0;
  journal.newest_first(query.filter, [&](const TaskRecord& record) {
    if (const TaskRun* run = assembler.add(record);
        run != nullptr && (!query.failed_only || is_failure(run->result))) {
      ++kept;
    }
    // Every older record ends an older run: once `limit` runs are kept, the
    // rest cannot be among the newest. Their start records are looked up below.
    return query.limit == 0 || kept < query.limit;
  });
  std::vector<TaskRun> runs;
  auto& all = assembler.runs();
  for (const std::size_t index : assembler.open_runs()) {
    if (query.limit != 0) { // stopped early: the start may be older than where we stopped
      find_start(journal, all[index]);
    }
  }
  for (auto& run : all) {
    if (!query.failed_only || is_failure(run.result)) {
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

TaskStatus read_status(TaskJournal& journal, const Task& task, const LockProbe& locks)
{
  TaskStatus status;
  status.task = task.name;
  status.enabled = task.enabled;
  status.lock = locks.probe(task.name);
  RunAssembler assembler(locks);
  std::optional<std::size_t> last_index;
  std::optional<std::size_t> success_index;
  RecordFilter filter;
  filter.task = task.name;
  journal.newest_first(filter, [&](const TaskRecord& record) {
    const TaskRun* run = assembler.add(record);
    if (run == nullptr || run->record.dry_run || run->result.ended == TaskResult::skipped) {
      return true;
    }
    if (run->result.state == RunState::running) {
      status.running = *run;
      return true;
    }
    const auto index = static_cast<std::size_t>(run - assembler.runs().data());
    if (!last_index) {
      last_index = index;
    }
    if (run->result.ended == TaskResult::success) {
      success_index = index;
      return false; // failures before it do not count
    }
    ++status.consecutive_failures;
    return true;
  });
  // The scan stopped at the last success, before its start record.
  for (const auto index : {last_index, success_index}) {
    if (index && assembler.runs()[*index].record.position.empty()) {
      find_start(journal, assembler.runs()[*index]);
    }
  }
  if (last_index) {
    status.last = assembler.runs()[*last_index];
  }
  if (success_index) {
    status.last_success_usec = assembler.runs()[*success_index].started_usec; // like `last`
  }
  return status;
}

namespace {

// Returns local midnight `days_back` days before `now_usec`.
std::int64_t local_midnight(std::int64_t now_usec, int days_back)
{
  const std::time_t now = static_cast<std::time_t>(now_usec / 1'000'000);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  tm.tm_mday -= days_back;
  tm.tm_hour = 0;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm)) * 1'000'000;
}

std::optional<std::int64_t> parse_local_time(std::string_view text)
{
  std::tm tm{};
  const std::string copy(text);
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    tm = std::tm{};
    const char* end = ::strptime(copy.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') {
      tm.tm_isdst = -1;
      const std::time_t t = std::mktime(&tm);
      if (t == static_cast<std::time_t>(-1)) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(t) * 1'000'000;
    }
  }
  return std::nullopt;
}

} // namespace

tl::expected<std::int64_t, std::string> parse_since(std::string_view text, std::int64_t now_usec)
{
  if (text == "now") {
    return now_usec;
  }
  if (text == "today") {
    return local_midnight(now_usec, 0);
  }
  if (text == "yesterday") {
    return local_midnight(now_usec, 1);
  }
  if (!text.empty() && text.front() >= '0' && text.front() <= '9' && text.size() >= 10 &&
      text[4] == '-') {
    if (auto t = parse_local_time(text)) {
      return *t;
    }
    return tl::unexpected(fmt::format("\"{}\" is not a date or time; use YYYY-MM-DD, "
                                      "\"YYYY-MM-DD HH:MM[:SS]\" (local time), today, yesterday "
                                      "or a time span such as 2d or \"1h 30min\"",
                                      text));
  }
  std::string_view span = text;
  if (span.starts_with('-')) {
    span.remove_prefix(1);
  }
  if (span.ends_with(" ago")) {
    span.remove_suffix(4);
  }
  auto ago = parse_timespan(span);
  if (!ago || *ago == k_infinite) {
    return tl::unexpected(fmt::format("\"{}\" is not a time: {}; use YYYY-MM-DD, "
                                      "\"YYYY-MM-DD HH:MM[:SS]\" (local time), today, yesterday "
                                      "or a time span such as 2d or \"1h 30min\"",
                                      text, ago ? "infinity is not a time" : ago.error()));
  }
  return now_usec - ago->count();
}

} // namespace pt
