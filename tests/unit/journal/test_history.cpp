// SPDX-License-Identifier: MIT
#include <cstdlib>
#include <ctime>
#include <map>

#include <doctest/doctest.h>

#include "journal/history.hpp"
#include "test_support.hpp"

using namespace pt;

namespace {

// The journal as a list of records, oldest first; answers like sd-journal's matches.
class FakeTaskJournal final : public TaskJournal
{
public:
  void newest_first(const RecordFilter& filter,
                    const std::function<bool(const TaskRecord&)>& visit) override
  {
    ++queries;
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
      if ((!filter.task.empty() && it->task != filter.task) ||
          (!filter.run_id.empty() && it->run_id != filter.run_id) ||
          (!filter.invocation.empty() && it->invocation != filter.invocation)) {
        continue;
      }
      ++visited;
      if (it->realtime_usec < filter.since_usec || !visit(*it)) {
        return;
      }
    }
  }

  // Appends a run of `task` in run `run_id`: a start record at `start` and,
  // unless `result` is empty, an end record `duration` later.
  void add_run(const std::string& task, const std::string& run_id, std::int64_t start,
               const std::string& result, std::int64_t duration = 10, bool dry_run = false)
  {
    TaskRecord started;
    started.started = true;
    started.task = task;
    started.run_id = run_id;
    started.realtime_usec = start;
    started.position = "1/1";
    started.dry_run = dry_run;
    started.trigger = "timer";
    if (result != "skipped") {
      records.push_back(started);
    }
    if (!result.empty()) {
      TaskRecord finished = started;
      finished.started = false;
      finished.position.clear();
      finished.result = parse_task_result(result);
      finished.realtime_usec = start + duration;
      finished.duration_usec = duration;
      finished.exit_status = result == "success" ? "0" : "1";
      records.push_back(finished);
    }
  }

  std::vector<TaskRecord> records;
  int queries = 0;
  int visited = 0;
};

class FakeLockProbe final : public LockProbe
{
public:
  LockState probe(std::string_view task) const override
  {
    const auto it = held.find(std::string(task));
    return it == held.end() ? LockState{} : LockState{true, it->second};
  }
  std::map<std::string, long> held; // task -> holder pid
};

Task task_named(const std::string& name)
{
  Task task;
  task.name = name;
  return task;
}

} // namespace

TEST_CASE("read_status: last run, last success and the failures since")
{
  FakeTaskJournal journal;
  journal.add_run("a", "r1", 100, "failed");
  journal.add_run("a", "r2", 200, "success");
  journal.add_run("b", "r2", 220, "failed");
  journal.add_run("a", "r3", 300, "failed");
  journal.add_run("a", "r4", 400, "timeout");
  const FakeLockProbe locks;
  const TaskStatus s = read_status(journal, task_named("a"), locks);
  REQUIRE(s.last);
  CHECK(s.last->record.run_id == "r4");
  CHECK(to_string(s.last->result) == "timeout");
  CHECK(s.last->started_usec == 400);
  CHECK(s.last->finished_usec == 410);
  CHECK(s.last->record.position == "1/1");
  CHECK(s.last_success_usec == 200); // the start of the successful run, like last->started_usec
  CHECK(s.consecutive_failures == 2);
  CHECK_FALSE(s.lock.held);
  CHECK_FALSE(s.running);
}

TEST_CASE("read_status: stops at the last success instead of reading the whole past")
{
  FakeTaskJournal journal;
  for (int i = 0; i < 100; ++i) {
    journal.add_run("a", "old" + std::to_string(i), i * 100, "failed");
  }
  journal.add_run("a", "good", 20'000, "success");
  journal.add_run("a", "bad", 30'000, "failed");
  const TaskStatus s = read_status(journal, task_named("a"), FakeLockProbe{});
  CHECK(s.consecutive_failures == 1);
  CHECK(s.last_success_usec == 20'000);
  CHECK(journal.visited < 10);
}

TEST_CASE("read_status: dry runs and skips are not runs; a task never run has none")
{
  FakeTaskJournal journal;
  journal.add_run("a", "r1", 100, "success");
  journal.add_run("a", "r2", 200, "failed", 10, /*dry_run=*/true);
  journal.add_run("a", "r3", 300, "skipped");
  const TaskStatus s = read_status(journal, task_named("a"), FakeLockProbe{});
  REQUIRE(s.last);
  CHECK(s.last->record.run_id == "r1");
  CHECK(s.consecutive_failures == 0);

  const TaskStatus never = read_status(journal, task_named("never"), FakeLockProbe{});
  CHECK_FALSE(never.last);
  CHECK_FALSE(never.last_success_usec);
  CHECK(never.consecutive_failures == 0);
}

TEST_CASE("read_status: a started task whose lock is held is running; without the lock it is "
          "unfinished and a failure")
{
  FakeTaskJournal journal;
  journal.add_run("a", "r1", 100, "success");
  journal.add_run("a", "r2", 200, "");
  FakeLockProbe locks;
  locks.held["a"] = 4711;
  const TaskStatus running = read_status(journal, task_named("a"), locks);
  CHECK(running.lock.held);
  CHECK(running.lock.holder_pid == 4711);
  REQUIRE(running.running);
  CHECK(running.running->record.run_id == "r2");
  CHECK(running.running->started_usec == 200);
  REQUIRE(running.last);
  CHECK(running.last->record.run_id == "r1");
  CHECK(running.consecutive_failures == 0);

  const TaskStatus died = read_status(journal, task_named("a"), FakeLockProbe{});
  CHECK_FALSE(died.running);
  REQUIRE(died.last);
  CHECK(to_string(died.last->result) == "unfinished");
  CHECK_FALSE(died.last->finished_usec);
  CHECK(died.consecutive_failures == 1);
}

TEST_CASE("read_history: one entry per task run, newest first, start and end paired")
{
  FakeTaskJournal journal;
  journal.add_run("a", "r1", 100, "success", 5);
  journal.add_run("b", "r1", 110, "failed", 7);
  journal.add_run("a", "r2", 200, "skipped");
  journal.add_run("b", "r2", 210, "");
  const auto runs = read_history(journal, HistoryQuery{}, FakeLockProbe{});
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].record.task == "b");
  CHECK(to_string(runs[0].result) == "unfinished");
  CHECK(runs[0].started_usec == 210);
  CHECK(runs[1].record.task == "a");
  CHECK(to_string(runs[1].result) == "skipped");
  CHECK(runs[1].started_usec == 200); // no start record: its end time minus its duration
  CHECK(runs[2].record.task == "b");
  CHECK(to_string(runs[2].result) == "failed");
  CHECK(runs[2].started_usec == 110);
  CHECK(runs[2].finished_usec == 117);
  CHECK(runs[2].record.duration_usec == 7);
  CHECK(runs[3].record.run_id == "r1");
  CHECK(runs[3].record.position == "1/1");
}

TEST_CASE("read_history: a limit stops the scan and still finds the start records")
{
  FakeTaskJournal journal;
  for (int i = 0; i < 50; ++i) {
    journal.add_run("a", "r" + std::to_string(i), i * 100, i % 2 == 0 ? "success" : "failed");
  }
  HistoryQuery query;
  query.limit = 3;
  const auto runs = read_history(journal, query, FakeLockProbe{});
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].record.run_id == "r49");
  CHECK(runs[2].record.run_id == "r47");
  for (const auto& run : runs) {
    CHECK(run.record.position == "1/1"); // every start record found
  }
  CHECK(journal.visited < 20);

  query.failed_only = true;
  const auto failed = read_history(journal, query, FakeLockProbe{});
  REQUIRE(failed.size() == 3);
  CHECK(failed[0].record.run_id == "r49");
  CHECK(failed[1].record.run_id == "r47");
  CHECK(failed[2].record.run_id == "r45");

  query.limit = 0;
  CHECK(read_history(journal, query, FakeLockProbe{}).size() == 25);
}

TEST_CASE("read_history: only the newest start of a task can be running")
{
  FakeTaskJournal journal;
  journal.add_run("a", "r1", 100, ""); // died
  journal.add_run("a", "r2", 200, ""); // running now
  FakeLockProbe locks;
  locks.held["a"] = 42;
  const auto runs = read_history(journal, HistoryQuery{}, locks);
  REQUIRE(runs.size() == 2);
  CHECK(to_string(runs[0].result) == "running");
  CHECK(runs[0].holder_pid == 42);
  CHECK(to_string(runs[1].result) == "unfinished");
}

TEST_CASE("is_failure: everything but success, skipped and running")
{
  for (const auto result :
       {TaskResult::failed, TaskResult::timeout, TaskResult::killed, TaskResult::error}) {
    CHECK(is_failure(RunResult{RunState::ended, result}));
  }
  CHECK(is_failure(RunResult{RunState::unfinished, std::nullopt}));
  for (const auto result : {TaskResult::success, TaskResult::skipped}) {
    CHECK_FALSE(is_failure(RunResult{RunState::ended, result}));
  }
  CHECK_FALSE(is_failure(RunResult{RunState::running, std::nullopt}));
  CHECK_FALSE(is_failure(RunResult{RunState::ended, std::nullopt})); // a word not of ours
}

TEST_CASE("to_string(RunResult): the TASK_RESULT word, running or unfinished")
{
  CHECK(to_string(RunResult{RunState::ended, TaskResult::timeout}) == "timeout");
  CHECK(to_string(RunResult{RunState::ended, TaskResult::skipped}) == "skipped");
  CHECK(to_string(RunResult{RunState::running, std::nullopt}) == "running");
  CHECK(to_string(RunResult{RunState::unfinished, std::nullopt}) == "unfinished");
  CHECK(to_string(RunResult{RunState::ended, std::nullopt}).empty());
}

TEST_CASE("parse_since: dates, words and spans ago")
{
  const test::ScopedEnv tz("TZ", "UTC");
  const std::int64_t now = 1'737'945'000'000'000; // 2025-01-27 02:30:00 UTC
  CHECK(parse_since("2025-01-27", now).value() == 1'737'936'000'000'000);
  CHECK(parse_since("2025-01-27 01:00", now).value() == 1'737'939'600'000'000);
  CHECK(parse_since("2025-01-27 01:00:30", now).value() == 1'737'939'630'000'000);
  CHECK(parse_since("today", now).value() == 1'737'936'000'000'000);
  CHECK(parse_since("yesterday", now).value() == 1'737'849'600'000'000);
  CHECK(parse_since("now", now).value() == now);
  CHECK(parse_since("2d", now).value() == now - 2 * 86'400'000'000LL);
  CHECK(parse_since("-1h 30min", now).value() == now - 5'400'000'000LL);
  CHECK(parse_since("3h ago", now).value() == now - 10'800'000'000LL);
  const auto bad = parse_since("2025-13-45", now);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("YYYY-MM-DD") != std::string::npos);
  CHECK_FALSE(parse_since("last tuesday", now));
  CHECK_FALSE(parse_since("infinity", now));
}
