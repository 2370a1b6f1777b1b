// SPDX-License-Identifier: MIT
#include <csignal>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

#include "process/signals.hpp"

using namespace pt;

namespace {

bool readable(int fd)
{
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

struct sigaction current_action(int signal)
{
  struct sigaction action = {};
  ::sigaction(signal, nullptr, &action);
  return action;
}

} // namespace

TEST_CASE("SignalStop: remembers the first stop signal and wakes the fd")
{
  const SignalStop stop;
  CHECK(stop.stop_signal() == 0);
  CHECK_FALSE(readable(stop.wake_fd()));
  CHECK(std::raise(SIGINT) == 0);
  CHECK(stop.stop_signal() == SIGINT);
  CHECK(readable(stop.wake_fd()));
  CHECK(std::raise(SIGTERM) == 0);
  CHECK(stop.stop_signal() == SIGINT);
}

TEST_CASE("SignalStop: treats SIGHUP as SIGTERM")
{
  const SignalStop stop;
  CHECK(std::raise(SIGHUP) == 0);
  CHECK(stop.stop_signal() == SIGTERM);
}

TEST_CASE("SignalStop: allows one instance at a time")
{
  {
    const SignalStop stop;
    CHECK_THROWS_AS(SignalStop(), std::logic_error);
  }
  const SignalStop again;
  CHECK(again.stop_signal() == 0);
}

TEST_CASE("SignalStop: installs interrupting handlers and restores the defaults")
{
  {
    const SignalStop stop;
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
      const auto action = current_action(signal);
      const bool handled = action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
      CHECK(handled);
      CHECK((action.sa_flags & SA_RESTART) == 0);
    }
    const bool pipe_ignored = current_action(SIGPIPE).sa_handler == SIG_IGN;
    CHECK(pipe_ignored);
  }
  for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) {
    const bool restored = current_action(signal).sa_handler == SIG_DFL;
    CHECK(restored);
  }
}

TEST_CASE("SignalStop: every other signal that would kill the runner is a stop request or ignored")
{
  std::vector<int> stopping{SIGUSR1, SIGUSR2,   SIGALRM, SIGVTALRM, SIGPROF,
                            SIGXCPU, SIGSTKFLT, SIGIO,   SIGPWR};
  for (int signal = SIGRTMIN; signal <= SIGRTMAX; ++signal) {
    stopping.push_back(signal);
  }
  for (const int signal : stopping) {
    CAPTURE(signal);
    {
      const SignalStop stop;
      const auto action = current_action(signal);
      const bool handled = action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
      CHECK(handled);
      CHECK((action.sa_flags & SA_RESTART) == 0);
      CHECK(std::raise(signal) == 0);
      CHECK(stop.stop_signal() == signal);
      CHECK(readable(stop.wake_fd()));
      const bool file_size_ignored = current_action(SIGXFSZ).sa_handler == SIG_IGN;
      CHECK(file_size_ignored); // a write past RLIMIT_FSIZE fails with EFBIG instead
    }
    const bool restored = current_action(signal).sa_handler == SIG_DFL;
    CHECK(restored);
  }
  const bool file_size_restored = current_action(SIGXFSZ).sa_handler == SIG_DFL;
  CHECK(file_size_restored);
}
