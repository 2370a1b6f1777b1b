// SPDX-License-Identifier: MIT
// A signal handler may touch only async-signal-safe things: it stores the first
// stop signal in a sig_atomic_t and writes one byte to a non-blocking self-pipe,
// whose read end wakes the process runner's poll(). The handlers are installed
// without SA_RESTART, so a blocking poll() returns at once with EINTR as well.
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

#include "util/deadline.hpp"

namespace pt {
namespace {

constexpr std::array k_stop_signals{SIGTERM, SIGINT, SIGHUP};

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
  sigemptyset(&action.sa_mask);
  for (const int stop_signal : k_stop_signals) {
    sigaddset(&action.sa_mask, stop_signal);
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
  for (const int signal : k_stop_signals) {
    set_handler(signal, on_stop_signal);
  }
  set_handler(SIGPIPE, SIG_IGN);
}

SignalStop::~SignalStop()
{
  // Restore the defaults before the members close the pipe, so no handler writes to a closed fd.
  for (const int signal : k_stop_signals) {
    set_handler(signal, SIG_DFL);
  }
  set_handler(SIGPIPE, SIG_DFL);
  s_wake_write_fd = -1;
  s_stop_signal = 0;
  s_instance_exists = false;
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
