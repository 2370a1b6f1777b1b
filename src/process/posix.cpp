// SPDX-License-Identifier: MIT
// Running a task so that nothing it does can hurt the next one.
//
// A task is more than one process: its own session and process group, plus
// whatever left the group with setsid() or by double-forking. process/spawn.cpp
// starts it; process/tree.cpp finds, signals and reaps all of it through
// subreaping and /proc. This file watches the task and decides when to stop it.
//
// Stopping is SIGTERM (plus SIGCONT, so stopped processes can act on it), then
// SIGKILL for whatever is still alive after the kill timeout. The main process
// is reaped only at the very end: while it is an unreaped zombie, its pid,
// which is also the group id, stays reserved, so no signal reaches a stranger.
//
// The main process is watched through a pidfd (readable once it has exited)
// and reaped with waitid(P_PID), which gives its status; never through
// waitpid(-1), which could steal that status. Without a pidfd (old kernels)
// waitid(P_PID, ..., WNOWAIT) on a short tick notices the exit instead.
//
// One wake-up per task that just runs and exits: the runner holds its own
// copies of the pipes' write ends while the main process runs, so the pipes
// report data but never EOF before the exit does (a process closes its files
// before its pidfd becomes readable). At the exit the runner closes its copies;
// the next poll() then returns at once, with POLLHUP alone on a pipe at EOF.
//
// The pipes are drained at all times, also while we wait for the tree to die:
// a child blocked writing into a full pipe cannot run its SIGTERM handler to the
// end. Every blocking call is retried on EINTR, which the runner's own
// SIGTERM/SIGINT handlers cause on purpose to wake poll().
#include "process/posix.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <span>
#include <utility>

#include "process/fd.hpp"
#include "process/output.hpp"
#include "process/spawn.hpp"
#include "process/tree.hpp"
#include "util/deadline.hpp"

namespace pt {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto k_drain_grace = 100ms; // wait for EOF this long after the main process exits
constexpr auto k_idle_tick = 1s;      // reap reparented zombies this often while the task runs
constexpr auto k_cleanup_tick = 10ms; // look for survivors this often while stopping the tree

// Watches one spawned task until it and everything it started are gone.
class Supervisor
{
public:
  Supervisor(Spawned child, const ProcessSpec& spec, OutputSink& sink, const StopSource& stop,
             int stop_fd, std::span<char> buffer, ChildrenReader& children);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Runs the task to its end and returns what became of it (without duration).
  ProcessResult run();

private:
  enum class Phase {
    running,  // the main process runs
    draining, // it exited by itself; collect output until EOF or the drain grace ends
    stopping, // SIGTERM (or the stop signal) sent; SIGKILL at m_kill_at
    killing,  // SIGKILL sent; wait until nothing is left
    done,
  };

  void wait_for_events(Clock::time_point now);
  Clock::time_point next_wake(Clock::time_point now) const;
  void observe_main_exit();
  void close_writers();
  void advance(Clock::time_point now);
  void advance_running(Clock::time_point now);
  void advance_draining(Clock::time_point now);
  void advance_stopping(Clock::time_point now);
  void begin_stop(int signal, Clock::time_point now);
  void finish();

  const ProcessSpec& m_spec;
  const StopSource& m_stop;
  ChildrenReader& m_children;
  pid_t m_pid;
  UniqueFd m_pidfd;
  bool m_pidfd_ready = false; // poll() found the pidfd readable: the main process has exited
  std::array<UniqueFd, TaskOutput::k_streams> m_writers; // ours, closed at the main exit
  TaskOutput m_output;
  int m_stop_fd;
  int m_stop_signal = 0;
  bool m_fenced = false; // the fence fd was readable
  Phase m_phase = Phase::running;
  bool m_main_exited = false;
  std::optional<Clock::time_point> m_deadline;
  std::optional<Clock::time_point> m_kill_at;
  Clock::time_point m_drain_until{};
  Clock::time_point m_next_idle_reap{};
  ProcessResult m_result;
};

Supervisor::Supervisor(Spawned child, const ProcessSpec& spec, OutputSink& sink,
                       const StopSource& stop, int stop_fd, std::span<char> buffer,
                       ChildrenReader& children)
    : m_spec(spec), m_stop(stop), m_children(children), m_pid(child.pid),
      m_pidfd(::pidfd_open(child.pid, 0)), m_writers{std::move(child.out_writer),
                                                     std::move(child.err_writer)},
      m_output(std::move(child.out), std::move(child.err), sink, buffer), m_stop_fd(stop_fd)
{
  const auto now = Clock::now();
  m_deadline = deadline_after(now, spec.timeout);
  m_next_idle_reap = now + k_idle_tick;
}

// Only reached early if the sink threw: leave nothing of the task behind.
Supervisor::~Supervisor()
{
  if (m_phase == Phase::done) {
    return;
  }
  kill_tree(m_pid);
}

ProcessResult Supervisor::run()
{
  while (m_phase != Phase::done) {
    wait_for_events(Clock::now());
    advance(Clock::now());
  }
  finish();
  return m_result;
}

Clock::time_point Supervisor::next_wake(Clock::time_point now) const
{
  switch (m_phase) {
  case Phase::running: {
    // Without a pidfd (old kernels) only a short tick notices the main process exit.
    auto wake = m_pidfd.get() >= 0 ? m_next_idle_reap : now + k_cleanup_tick;
    return m_deadline ? std::min(wake, *m_deadline) : wake;
  }
  case Phase::draining:
    return m_drain_until;
  case Phase::stopping:
    return m_kill_at ? std::min(now + k_cleanup_tick, *m_kill_at) : now + k_cleanup_tick;
  case Phase::killing:
  case Phase::done:
    break;
  }
  return now + k_cleanup_tick;
}

// Sleeps in poll() until output, the main process exit, a stop request or the
// next timer; reads whatever output is ready.
void Supervisor::wait_for_events(Clock::time_point now)
{
  std::array<pollfd, TaskOutput::k_streams + 3> fds{}; // a negative fd is ignored by poll()
  const auto output_fds = std::span(fds).first<TaskOutput::k_streams>();
  m_output.fill_poll_fds(output_fds);
  const bool watch_main = !m_main_exited && m_pidfd.get() >= 0;
  fds[2] = {watch_main ? m_pidfd.get() : -1, POLLIN, 0};
  const bool watch_stop = m_phase == Phase::running && m_stop_fd >= 0;
  fds[3] = {watch_stop ? m_stop_fd : -1, POLLIN, 0};
  const bool watch_fence = m_phase == Phase::running && m_spec.fence_fd >= 0 && !m_fenced;
  fds[4] = {watch_fence ? m_spec.fence_fd : -1, POLLIN, 0};
  if (::poll(fds.data(), fds.size(), poll_timeout_ms(now, next_wake(now))) < 0) {
    return; // EINTR: a signal for the runner; advance() looks at it
  }
  m_output.read_ready(output_fds);
  m_pidfd_ready = watch_main && fds[2].revents != 0;
  if (watch_fence && fds[4].revents != 0) {
    m_fenced = true;
  }
  if (watch_stop && fds[3].revents != 0 && m_stop.stop_signal() == 0) {
    m_stop_fd = -1; // readable without a stop request: stop polling it rather than spin
  }
}

// Notes that the main process has exited, once it has, leaving it an unreaped
// zombie (finish() reaps it and reads its status), and closes our write ends.
void Supervisor::observe_main_exit()
{
  if (m_main_exited) {
    return;
  }
  if (m_pidfd.get() >= 0 ? m_pidfd_ready : peek_exit(m_pid).has_value()) {
    m_main_exited = true;
    close_writers();
  }
}

// Closes our copies of the pipes' write ends: the pipes can now reach EOF.
void Supervisor::close_writers()
{
  for (auto& writer : m_writers) {
    writer.reset();
  }
}

void Supervisor::advance(Clock::time_point now)
{
  switch (m_phase) {
  case Phase::running:
    advance_running(now);
    break;
  case Phase::draining:
    advance_draining(now);
    break;
  case Phase::stopping:
  case Phase::killing:
    advance_stopping(now);
    break;
  case Phase::done:
    break;
  }
}

void Supervisor::advance_running(Clock::time_point now)
{
  observe_main_exit();
  if (m_main_exited) {
    m_phase = Phase::draining;
    m_drain_until = now + k_drain_grace;
    advance_draining(now); // the pipes may be at EOF already
  } else if (const int signal = m_stop.stop_signal(); signal != 0) {
    m_result.kind = ExitKind::interrupted;
    m_stop_signal = signal;
    begin_stop(task_stop_signal(signal), now);
  } else if (m_fenced) {
    m_result.kind = ExitKind::fenced;
    begin_stop(SIGTERM, now);
  } else if (m_deadline && now >= *m_deadline) {
    m_result.kind = ExitKind::timed_out;
    begin_stop(SIGTERM, now);
  } else if (now >= m_next_idle_reap) {
    reap_orphans_while_main_runs(m_pid);
    m_next_idle_reap = now + k_idle_tick;
  }
}

// The main process has exited by itself; once its output is in, whatever it
// left running is a leftover to stop.
void Supervisor::advance_draining(Clock::time_point now)
{
  if (!m_output.at_eof() && now < m_drain_until) {
    return;
  }
  m_result.leftover_processes = reap_and_count_survivors(m_pid, CountZombies::no, m_children);
  if (m_result.leftover_processes == 0) {
    m_phase = Phase::done;
  } else {
    begin_stop(SIGTERM, now);
  }
}

void Supervisor::advance_stopping(Clock::time_point now)
{
  observe_main_exit();
  if (m_main_exited && reap_and_count_survivors(m_pid, CountZombies::yes, m_children) == 0) {
    m_phase = Phase::done;
  } else if (m_phase == Phase::killing) {
    signal_tree(m_pid, SIGKILL); // new forks, and processes that were exiting at the last scan
  } else if (m_kill_at && now >= *m_kill_at) {
    m_result.escalated_to_kill = true;
    signal_tree(m_pid, SIGKILL);
    m_phase = Phase::killing;
  }
}

void Supervisor::begin_stop(int signal, Clock::time_point now)
{
  signal_tree(m_pid, signal);
  signal_tree(m_pid, SIGCONT);
  m_kill_at = deadline_after(now, m_spec.kill_timeout);
  m_phase = Phase::stopping;
}

// Reaps the main process, delivers the output still in the pipes and closes them.
void Supervisor::finish()
{
  if (const auto exit = reap(m_pid)) {
    m_result.exit_status = exit->exit_status;
    m_result.signal = exit->signal;
    m_result.core_dumped = exit->core_dumped;
  }
  if (m_result.kind == ExitKind::exited && m_result.signal != 0) {
    m_result.kind = ExitKind::signaled;
  }
  close_writers();
  m_output.finish();
  if (m_result.kind == ExitKind::interrupted) {
    m_result.signal = m_stop_signal; // what stopped the run, not how the main process died
  }
}

} // namespace

struct PosixProcessRunner::Reused
{
  Spawner spawner;
  ChildrenReader children;
  std::unique_ptr<char[]> buffer = std::make_unique_for_overwrite<char[]>(TaskOutput::k_read_chunk);
};

PosixProcessRunner::PosixProcessRunner(const StopSource& stop, int stop_fd)
    : m_stop(stop), m_stop_fd(stop_fd), m_reused(std::make_unique<Reused>())
{
}

PosixProcessRunner::~PosixProcessRunner() = default;

ProcessResult PosixProcessRunner::run(const ProcessSpec& spec, OutputSink& sink)
{
  if (const int signal = m_stop.stop_signal(); signal != 0) {
    ProcessResult result;
    result.kind = ExitKind::interrupted;
    result.signal = signal;
    return result;
  }
  const auto started = Clock::now();
  auto spawned = m_reused->spawner.spawn(spec);
  ProcessResult result;
  if (!spawned) {
    result.kind = ExitKind::start_failed;
    result.error_number = spawned.error().error_number;
    result.error = spawned.error().message;
  } else {
    const std::span<char> buffer(m_reused->buffer.get(), TaskOutput::k_read_chunk);
    Supervisor supervisor(std::move(*spawned), spec, sink, m_stop, m_stop_fd, buffer,
                          m_reused->children);
    result = supervisor.run();
  }
  result.duration = std::chrono::duration_cast<Duration>(Clock::now() - started);
  return result;
}

void PosixProcessRunner::become_subreaper()
{
  make_subreaper();
}

} // namespace pt
