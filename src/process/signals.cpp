// SPDX-License-Identifier: MIT
// A signal handler may touch only async-signal-safe things: it stores the first
// stop signal in a sig_atomic_t and writes one byte to a non-blocking self-pipe,
// whose read end wakes the process runner's poll(). The handlers are installed
// without SA_RESTART, so a blocking poll() returns at once with EINTR as well.
//
// Every catchable signal whose default action would end the runner is decided
// here, because dying by one leaves no summary and the running task's tree
// running and unlocked:
// - a stop request: SIGTERM, SIGINT and SIGHUP (recorded as SIGTERM: a closed
//   terminal or `kill -HUP` asks for the same clean stop), and SIGUSR1, SIGUSR2,
//   SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGIO, SIGSTKFLT, SIGPWR and the
//   real-time signals SIGRTMIN..SIGRTMAX, each recorded as itself. The running
//   task's tree gets SIGINT for SIGINT and SIGTERM for all the others
//   (task_stop_signal: a task may use SIGUSR1 or SIGHUP to reopen its logs),
//   then SIGKILL after its kill_timeout; the runner exits 128+n.
// - ignored: SIGPIPE, so a closed stdout or socket is an EPIPE error where it
//   is written; SIGXFSZ, so a write past RLIMIT_FSIZE is an EFBIG error.
// - left at the default: SIGQUIT (a deliberate core dump), and the signals a
//   fault raises (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS),
//   after which no code of ours can be trusted to run.
// SIGKILL and SIGSTOP cannot be caught: a SIGKILLed run outside systemd leaves
// its task running and unlocked (under the unit, systemd kills the cgroup).
// Tasks get none of this: spawn.cpp resets every signal to its default.
#include "process/signals.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "util/deadline.hpp"

namespace pt {
namespace {

// The stop signals with a fixed number; the real-time ones are added at run
// time (glibc's SIGRTMIN is a function call, as it keeps two for itself).
constexpr std::array k_fixed_stop_signals{SIGTERM,   SIGINT,  SIGHUP,  SIGUSR1, SIGUSR2,   SIGALRM,
                                          SIGVTALRM, SIGPROF, SIGXCPU, SIGIO,   SIGSTKFLT, SIGPWR};
constexpr std::array k_ignored_signals{SIGPIPE, SIGXFSZ};

std::vector<int> stop_signals()
{
  std::vector<int> signals(k_fixed_stop_signals.begin(), k_fixed_stop_signals.end());
  for (int signal = SIGRTMIN; signal <= SIGRTMAX; ++signal) {
    signals.push_back(signal);
  }
  return signals;
}

// The only mutable statics in the program. A signal handler receives nothing but
// the signal number, so the state it writes must be reachable without an object;
// the one-instance guard in SignalStop keeps them from being shared by accident.
volatile std::sig_atomic_t s_stop_signal = 0;
volatile std::sig_atomic_t s_wake_write_fd = -1;
bool s_instance_exists = false;

extern "C" void on_stop_signal(int signal)
{
  const int saved_errno = errno;
  if (s_stop_signal == 0) {
    s_stop_signal = signal == SIGHUP ? SIGTERM : signal;
  }
  const char byte = 1;
  [[maybe_unused]] const auto written = ::write(s_wake_write_fd, &byte, 1);
  errno = saved_errno;
}

void set_handler(int signal, void (*handler)(int))
{
  struct sigaction action = {};
  action.sa_handler = handler;
  sigfillset(&action.sa_mask); // one handler at a time: s_stop_signal keeps the first
  for (const int fault : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
    sigdelset(&action.sa_mask, fault);
  }
  action.sa_flags = 0; // no SA_RESTART: interrupt poll() and friends
  ::sigaction(signal, &action, nullptr);
}

} // namespace

SignalStop::SignalStop()
{
  if (s_instance_exists) {
    throw std::logic_error("SignalStop: only one instance may exist");
  }
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::system_category(), "cannot create the signal pipe");
  }
  m_wake_read.reset(fds[0]);
  m_wake_write.reset(fds[1]);
  s_instance_exists = true;
  s_stop_signal = 0;
  s_wake_write_fd = fds[1];
  for (const int signal : stop_signals()) {
    set_handler(signal, on_stop_signal);
  }
  for (const int signal : k_ignored_signals) {
    set_handler(signal, SIG_IGN);
  }
}

SignalStop::~SignalStop()
{
  // Restore the defaults before the members close the pipe, so no handler writes to a closed fd.
  for (const int signal : stop_signals()) {
    set_handler(signal, SIG_DFL);
  }
  for (const int signal : k_ignored_signals) {
    set_handler(signal, SIG_DFL);
  }
  s_wake_write_fd = -1;
  s_stop_signal = 0;
  s_instance_exists = false;
}

int task_stop_signal(int received)
{
  return received == SIGINT ? SIGINT : SIGTERM;
}

int SignalStop::stop_signal() const
{
  return s_stop_signal;
}

int SignalStop::wake_fd() const
{
  return m_wake_read.get();
}

bool StopAwareDelay::wait(Duration duration)
{
  const auto deadline = deadline_after(std::chrono::steady_clock::now(), duration);
  while (m_stop.stop_signal() == 0) {
    const auto now = std::chrono::steady_clock::now();
    if (deadline && now >= *deadline) {
      return true;
    }
    pollfd wake{m_stop.wake_fd(), POLLIN, 0};
    ::poll(&wake, 1, poll_timeout_ms(now, deadline));
  }
  return false;
}

} // namespace pt
