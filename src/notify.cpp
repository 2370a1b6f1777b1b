// SPDX-License-Identifier: MIT
// The sd_notify edge. systemd shows a service's STATUS= text in `systemctl
// status` and as the StatusText property. Three things make it reach systemd
// from this runner:
//
// - The unit stays Type=oneshot (timers, OnFailure= and `systemctl start`
//   waiting for the end rely on it) and sets NotifyAccess=main: without it a
//   oneshot gets no $NOTIFY_SOCKET and systemd drops every message. systemd
//   checks the sender's pid from the socket's credentials, and the kernel
//   reports a process's pid (its thread group id) for every thread, so lines
//   sent by the publisher thread below count as the main process's. Tasks get
//   a clean environment without $NOTIFY_SOCKET, and with "main" (not "all")
//   nothing a task sends could change the status anyway.
// - The line is sent from a thread of its own. sd_notify() is a blocking
//   sendmsg() on a datagram socket: it blocks when PID 1's queue is full. The
//   run must never wait for that, so the runner's thread only updates the
//   ProgressLog under a short lock; this thread renders and sends.
// - Signals: the runner's stop handler (signals.cpp) wakes its poll() loops
//   through a self-pipe and EINTR. The new thread starts with every signal
//   blocked, so the kernel delivers SIGTERM, SIGINT and SIGHUP to the main
//   thread as before. Nothing else about the process changes: the subreaper
//   flag is per process, children are spawned and reaped by the main thread,
//   and posix_spawn() does not care about a second thread.
//
// The destructor asks for the last line ("Finished: ...") and joins: the
// thread never outlives the run. (Only a PID 1 that stopped reading its
// socket altogether could hold up that join, after the run; the unit's
// TimeoutStartSec= would then end it.) systemd reads notifications before it
// handles the main process's exit, and keeps the last STATUS= until the next
// start, so `systemctl status` still shows how the run ended.
#include "notify.hpp"

#include <algorithm>
#include <csignal>
#include <pthread.h>
#include <signal.h>

#include <systemd/sd-daemon.h>

namespace pt {

void SdNotifySink::send_status(const std::string& line)
{
  std::string message = "STATUS=" + line;
  std::replace(message.begin(), message.end(), '\n', ' '); // one line, one assignment
  ::sd_notify(0, message.c_str()); // a lost status line is no reason to disturb the run
}

StatusPublisher::StatusPublisher(ProgressLog& progress, StatusSink& sink, Duration refresh)
    : m_progress(progress)
{
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old); // the thread inherits the mask
  try {
    m_thread = std::thread([&progress, &sink, refresh] { progress.publish(sink, refresh); });
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    throw;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

StatusPublisher::~StatusPublisher()
{
  m_progress.finish();
  m_thread.join();
}

std::unique_ptr<SystemdStatus> systemd_status_if_listening(ProgressLog& progress,
                                                           const char* notify_socket)
{
  if (notify_socket == nullptr || *notify_socket == '\0') {
    return nullptr;
  }
  return std::make_unique<SystemdStatus>(progress);
}

} // namespace pt
