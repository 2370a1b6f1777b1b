// SPDX-License-Identifier: MIT
// A run's progress as one status line ("Running 3/7: vacuum-events (41s)"),
// read from the records the run logs, for `systemctl status`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>

#include "journal/event_log.hpp"
#include "run/clock.hpp"
#include "util/duration.hpp"

namespace pt {

using MonotonicTime = std::chrono::steady_clock::time_point;

// Formats `elapsed` in whole seconds, the way systemd writes time spans: "0s",
// "41s", "2min 3s", "1h 2min 3s".
std::string format_elapsed(Duration elapsed);

// What a run is doing, as far as its records tell: which task runs and since
// when, which one waits for a retry, how the finished ones ended.
class RunProgress
{
public:
  // Takes in `record`, logged at monotonic time `now`. Returns true when the
  // status line changed in more than its elapsed time.
  bool apply(const Record& record, MonotonicTime now);

  // Returns the status line at `now`, e.g. "Running 3/7: vacuum-events (41s)",
  // "Retrying 3/7: vacuum-events (attempt 1 failed, attempt 2 in 8s)",
  // "Finished: 6 succeeded, 1 failed"; empty before the run started.
  std::string line(MonotonicTime now) const;

  // Returns true while the line shows a time that moves on by itself.
  bool ticking() const { return m_phase == Phase::running || m_phase == Phase::retrying; }

private:
  enum class Phase { idle, starting, running, retrying, between, finished, interrupted };
  // How many finished tasks ended which way, in the order the final line lists them.
  struct Counts
  {
    std::size_t succeeded = 0, failed = 0, timed_out = 0, killed = 0, not_started = 0, skipped = 0,
                not_run = 0;
  };

  void count(const Record& finished);
  std::string counts() const;
  std::string task_label() const; // "3/7: vacuum-events"

  Phase m_phase = Phase::idle;
  std::string m_task_count;
  std::string m_task;
  std::string m_position; // "3/7", from the task-started record
  MonotonicTime m_task_since{};
  int m_attempt = 1;          // the attempt that runs, or the failed one while retrying
  MonotonicTime m_retry_at{}; // when the next attempt starts
  std::string m_last_result;  // TASK_RESULT of the task that finished last
  std::string m_stopped_by;   // SIGNAL of the run-interrupted record
  Counts m_counts;
};

// Shows one status line to the service manager (the real one: sd_notify in journal/notify.cpp).
class StatusSink
{
public:
  virtual ~StatusSink() = default;
  // Shows `line` as the service's status. May block: it is only called from
  // the publisher's own thread, never from the run's.
  virtual void send_status(const std::string& line) = 0;
};

// An EventLog decorator: forwards every record to `inner` unchanged and keeps
// the run's progress from them, which publish() sends to a StatusSink from
// another thread. emit() only takes a short lock: a slow sink never holds up
// the run. The runner does not know it is there.
class ProgressLog final : public EventLog
{
public:
  ProgressLog(EventLog& inner, const Clock& clock) : m_inner(inner), m_clock(clock) {}
  void emit(const Record& record) override;

  // Sends the status line through `sink` whenever a record changed it, and
  // every `refresh` while it shows a running time; returns once finish() was
  // called and the last line went out.
  void publish(StatusSink& sink, Duration refresh);

  // One step of publish(): waits up to `refresh` for a change, then sends the
  // line if it changed or ticks. Returns false once finish() was called and
  // the last line went out.
  bool publish_once(StatusSink& sink, Duration refresh);

  // Makes publish() send the line still waiting, then return.
  void finish();

private:
  EventLog& m_inner;
  const Clock& m_clock; // read only under m_mutex
  std::mutex m_mutex;
  std::condition_variable m_wake;
  RunProgress m_progress;
  bool m_changed = false;
  bool m_finishing = false;
};

} // namespace pt
