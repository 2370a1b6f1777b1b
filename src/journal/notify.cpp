// SPDX-License-Identifier: MIT
// The sd_notify edge, written here rather than linked from libsystemd (whose
// loading cost every start 1.8 ms, docs/performance.md): a notification is one
// datagram on an AF_UNIX socket to the path in $NOTIFY_SOCKET, or to an
// abstract address when it starts with '@'. systemd shows a service's STATUS= text in `systemctl
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
// - The line is sent from a thread of its own. Like sd_notify(), it is a
//   blocking sendmsg() on a datagram socket: it blocks when PID 1's queue is full. The
//   run must never wait for that, so the runner's thread only updates the
//   ProgressLog under a short lock; this thread renders and sends.
// - Signals: the runner's stop handler (process/signals.cpp) wakes its poll() loops
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
#include "journal/notify.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/fd.hpp"
#include "util/text.hpp"
#include "util/unix_address.hpp"

namespace pt {

int notify_send(const char* notify_socket, std::string_view message)
{
  if (notify_socket == nullptr || *notify_socket == '\0') {
    return 0; // nobody listens
  }
  const std::string_view name = notify_socket;
  if ((name[0] != '/' && name[0] != '@') || name.size() < 2) {
    return -EAFNOSUPPORT; // sd_notify() also takes vsock: addresses, which systemd never gives us
  }
  const auto address = unix_address(name);
  if (!address) {
    return -EINVAL;
  }
  const UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return -errno;
  }
  int result = 0;
  while (::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, address->get(),
                  address->length) < 0) {
    if (errno != EINTR) {
      result = -errno;
      break;
    }
  }
  return result;
}

void SdNotifySink::send_status(const std::string& line)
{
  // One line, one assignment, and shown by `systemctl status` on a terminal:
  // a task name's newline or escape sequence is shown, never acted on.
  const std::string message = "STATUS=" + escape_control(line);
  // A lost status line is no reason to disturb the run: the result is ignored.
  (void)notify_send(std::getenv("NOTIFY_SOCKET"), message);
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
