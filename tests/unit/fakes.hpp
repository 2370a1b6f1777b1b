// SPDX-License-Identifier: MIT
// Hand-written fakes for the runner's seams; each records what it was asked.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "journal/event_log.hpp"
#include "journal/progress.hpp"
#include "postgres/sql.hpp"
#include "process/process.hpp"
#include "process/signals.hpp"
#include "run/clock.hpp"
#include "run/runner.hpp"
#include "run/slot_state.hpp"
#include "run/task_lock.hpp"

namespace pt::test {

class RecordingLog final : public EventLog
{
public:
  void emit(const Record& record) override { records.push_back(record); }
  // Returns the records whose MESSAGE_ID is `id`.
  std::vector<Record> with_id(std::string_view id) const
  {
    std::vector<Record> out;
    for (const auto& r : records) {
      if (r.message_id == id) {
        out.push_back(r);
      }
    }
    return out;
  }
  std::vector<Record> records;
};

// Plays back a scripted result per argv[0]; optionally writes output first.
class FakeProcessRunner final : public ProcessRunner
{
public:
  struct Script
  {
    ProcessResult result;
    std::vector<std::pair<Stream, std::string>> lines;
    std::function<void()> during; // runs while the "process" runs
  };

  ProcessResult run(const ProcessSpec& spec, OutputSink& sink) override
  {
    specs.push_back(spec);
    const auto it = scripts.find(spec.argv.at(0));
    if (it == scripts.end()) {
      return {};
    }
    for (const auto& [stream, text] : it->second.lines) {
      sink.on_line(stream, text, LineEnd::newline);
    }
    if (it->second.during) {
      it->second.during();
    }
    return it->second.result;
  }

  std::map<std::string, Script> scripts;
  std::vector<ProcessSpec> specs;
};

// Plays back scripted results in order (the last one repeats) and records requests.
class FakeSqlExecutor final : public SqlExecutor
{
public:
  SqlResult run(const SqlRequest& request) override
  {
    requests.push_back(request);
    if (results.empty()) {
      return {};
    }
    const std::size_t index = std::min(requests.size(), results.size()) - 1;
    return results[index];
  }
  std::vector<SqlResult> results;
  std::vector<SqlRequest> requests;
};

// Records every wait; `stop_after` waits, reports a stop request.
class FakeDelay final : public Delay
{
public:
  bool wait(Duration duration) override
  {
    waits.push_back(duration);
    return waits.size() <= stop_after;
  }
  std::vector<Duration> waits;
  std::size_t stop_after = 1000;
};

class FakeLocks final : public TaskLocks
{
public:
  tl::expected<std::unique_ptr<TaskLock>, LockFailure> acquire(std::string_view task) override
  {
    acquired.emplace_back(task);
    if (const auto it = failures.find(std::string(task)); it != failures.end()) {
      return tl::unexpected(it->second);
    }
    return std::make_unique<TaskLock>();
  }
  std::map<std::string, LockFailure> failures;
  std::vector<std::string> acquired;
};

class FakeClock final : public Clock
{
public:
  std::chrono::steady_clock::time_point monotonic() const override
  {
    mono += std::chrono::milliseconds(250); // every reading moves time on
    return mono;
  }
  std::chrono::system_clock::time_point wall() const override { return wall_time; }

  mutable std::chrono::steady_clock::time_point mono{};
  std::chrono::system_clock::time_point wall_time{std::chrono::seconds(1'700'000'000)};
};

// A stop request the test raises itself.
class FakeStop final : public StopSource
{
public:
  int stop_signal() const override { return signal; }
  int signal = 0;
};

// A run with every seam faked, for the runner's tests.
// A claim store in memory: scripted answers, every call recorded.
class FakeClusterStore final : public ClusterStore
{
public:
  ClusterResult<ClaimOutcome> claim(const ClaimKey& key, const ClaimHolder& holder,
                                    Duration lease) override
  {
    std::lock_guard lock(mutex);
    claims.push_back({key.task, key.slot, holder, lease});
    if (claim_error) {
      return tl::unexpected(*claim_error);
    }
    if (!next_answers.empty()) {
      ClaimOutcome next = next_answers.front();
      next_answers.erase(next_answers.begin());
      return next;
    }
    return claim_answer;
  }
  ClusterResult<bool> heartbeat(const ClaimKey&, int, Duration) override
  {
    std::lock_guard lock(mutex);
    ++heartbeats;
    if (heartbeat_error) {
      return tl::unexpected(*heartbeat_error);
    }
    return heartbeat_holds;
  }
  ClusterResult<bool> finish(const ClaimKey& key, int attempt, std::string_view result) override
  {
    std::lock_guard lock(mutex);
    finishes.push_back({key.task, attempt, std::string(result)});
    return finish_counts;
  }
  ClusterResult<void> release(const ClaimKey& key) override
  {
    std::lock_guard lock(mutex);
    releases.push_back(key.task);
    return {};
  }
  ClusterResult<std::optional<HeldBy>> lock(const std::string& task,
                                            const ClaimHolder& holder) override
  {
    std::lock_guard lock(mutex);
    locks.push_back({task, 0, holder, {}});
    return lock_answer;
  }
  ClusterResult<bool> keepalive() override
  {
    std::lock_guard lock(mutex);
    ++heartbeats;
    return heartbeat_holds;
  }
  ClusterResult<Duration> measure_clock_skew() override { return skew; }
  ClusterResult<std::int64_t> prune(Duration retention, int) override
  {
    std::lock_guard lock(mutex);
    pruned_with.push_back(retention);
    return 0;
  }
  ClusterResult<std::vector<TaskClusterStatus>> status() override
  {
    return std::vector<TaskClusterStatus>{};
  }

  struct Call
  {
    std::string task;
    ClusterTime slot = 0;
    ClaimHolder holder;
    Duration lease{};
  };
  struct Finish
  {
    std::string task;
    int attempt = 0;
    std::string result;
  };
  std::mutex mutex;
  ClaimOutcome claim_answer = Claimed{1};
  std::vector<ClaimOutcome> next_answers; // answered first, in order, before claim_answer
  std::optional<ClusterError> claim_error;
  std::optional<HeldBy> lock_answer;
  bool heartbeat_holds = true;
  std::optional<ClusterError> heartbeat_error;
  bool finish_counts = true;
  Duration skew{};
  int heartbeats = 0;
  std::vector<Call> claims;
  std::vector<Call> locks;
  std::vector<Finish> finishes;
  std::vector<std::string> releases;
  std::vector<Duration> pruned_with;
};

struct RunnerFixture
{
  RecordingLog log;
  FakeProcessRunner processes;
  FakeSqlExecutor sql;
  FakeLocks locks;
  FakeClock clock;
  FakeStop stop;
  FakeDelay delay;
  Settings settings;
  RunnerDeps deps{processes, sql, log, locks, clock, stop, delay, Identity{"ops", "/home/ops"}};

  // Runs `tasks` for 2025-01-27 with a fixed run id.
  RunSummary run(const std::vector<const Task*>& tasks, bool dry_run = false)
  {
    RunRequest request{tasks, RunContext{"0123456789abcdef0123456789abcdef", "2025-01-27", dry_run},
                       Trigger::timer};
    return run_tasks(settings, request, deps);
  }
};

// Keeps slot states in memory and records each save; `fail_saves` makes them fail.
class FakeSlotStore final : public SlotStore
{
public:
  tl::expected<std::optional<SlotState>, std::string> load(std::string_view task) override
  {
    if (!load_error.empty()) {
      return tl::unexpected(load_error);
    }
    const auto it = states.find(std::string(task));
    return it == states.end() ? std::nullopt : std::optional<SlotState>(it->second);
  }
  tl::expected<void, std::string> save(std::string_view task, const SlotState& state) override
  {
    if (fail_saves) {
      return tl::unexpected(std::string("disk full"));
    }
    saves.emplace_back(std::string(task), state);
    states[std::string(task)] = state;
    return {};
  }
  std::map<std::string, SlotState> states;
  std::vector<std::pair<std::string, SlotState>> saves;
  std::string load_error;
  bool fail_saves = false;
};

// Records every status line sent, from any thread; `on_send` runs inside send_status.
class FakeStatusSink final : public StatusSink
{
public:
  void send_status(const std::string& line) override
  {
    if (on_send) {
      on_send(line);
    }
    const std::lock_guard lock(mutex);
    lines.push_back(line);
  }
  std::vector<std::string> sent() const
  {
    const std::lock_guard lock(mutex);
    return lines;
  }
  std::function<void(const std::string&)> on_send;
  mutable std::mutex mutex;
  std::vector<std::string> lines;
};

} // namespace pt::test
