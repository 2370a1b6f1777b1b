// SPDX-License-Identifier: MIT
// Signals to the runner, turned into a readable fd and a remembered signal.
#pragma once

#include "util/duration.hpp"
#include "util/fd.hpp"

namespace pt {

// Tells whether the run has been asked to stop.
class StopSource
{
public:
  virtual ~StopSource() = default;
  // Returns the signal that asked the run to stop (SIGTERM for SIGHUP), or 0.
  virtual int stop_signal() const = 0;
};

// Returns the signal a running task gets when the run is stopped by
// `received`: SIGINT stays SIGINT (Ctrl-C means "cancel" to many programs),
// everything else becomes SIGTERM, the stop every task is written for (the
// timeout's). A task may use SIGUSR1 or SIGHUP for something else entirely
// (reopen logs, print progress) and would then not stop before SIGKILL.
int task_stop_signal(int received);

// Turns SIGTERM, SIGINT, SIGHUP (treated as SIGTERM) and every other signal
// that would end the runner (SIGUSR1, SIGALRM, real-time signals, ...; list in
// signals.cpp) into a stop request; ignores SIGPIPE and SIGXFSZ. One instance
// per process; restores the defaults on destruction.
class SignalStop final : public StopSource
{
public:
  SignalStop();
  ~SignalStop() override;
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

  int stop_signal() const override;
  // Returns an fd that becomes readable once a stop signal arrived (for poll()).
  int wake_fd() const;

private:
  UniqueFd m_wake_read;  // closed after the destructor has restored the default handlers
  UniqueFd m_wake_write; // the handler writes to it through a static copy of the number
};

// Waits between retry attempts; a stop request cuts the wait short.
class Delay
{
public:
  virtual ~Delay() = default;
  // Waits for `duration`; returns false at once if the run is asked to stop.
  virtual bool wait(Duration duration) = 0;
};

// The real Delay: sleeps in poll() on the stop signal's wake fd.
class StopAwareDelay final : public Delay
{
public:
  explicit StopAwareDelay(const SignalStop& stop) : m_stop(stop) {}
  bool wait(Duration duration) override;

private:
  const SignalStop& m_stop;
};

} // namespace pt
