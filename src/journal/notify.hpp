// SPDX-License-Identifier: MIT
// The service manager's status line: sd_notify(3) STATUS= from a thread of its own.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "journal/progress.hpp"
#include "util/duration.hpp"

namespace pt {

// How often the status line's elapsed time is brought up to date.
inline constexpr Duration k_status_refresh = std::chrono::seconds(2);

// Sends `message` as one datagram to `notify_socket` (the value of
// $NOTIFY_SOCKET: a path, or '@' and a name in the abstract namespace), the
// way sd_notify(3) does. Returns 0 (also when `notify_socket` is null or
// empty: nobody listens) or -errno.
int notify_send(const char* notify_socket, std::string_view message);

// The real StatusSink: sd_notify(3) "STATUS=<line>" to the socket named by
// $NOTIFY_SOCKET; does nothing when that is not set.
class SdNotifySink final : public StatusSink
{
public:
  void send_status(const std::string& line) override;
};

// Runs `progress.publish(sink, refresh)` on a thread of its own for as long as
// it exists. Every signal is blocked on that thread, so SIGTERM and SIGINT keep
// reaching the runner's main thread. The destructor sends the last line and
// joins the thread: it never outlives the run.
class StatusPublisher
{
public:
  StatusPublisher(ProgressLog& progress, StatusSink& sink, Duration refresh);
  ~StatusPublisher();
  StatusPublisher(const StatusPublisher&) = delete;
  StatusPublisher& operator=(const StatusPublisher&) = delete;

private:
  ProgressLog& m_progress;
  std::thread m_thread;
};

// A run's progress as the status line of its systemd service (what `systemctl
// status` prints), for as long as it exists.
class SystemdStatus
{
public:
  explicit SystemdStatus(ProgressLog& progress) : m_publisher(progress, m_sink, k_status_refresh) {}

private:
  SdNotifySink m_sink; // constructed before, destroyed after m_publisher
  StatusPublisher m_publisher;
};

// Returns a SystemdStatus publishing `progress` when systemd listens for it
// (`notify_socket`, the value of $NOTIFY_SOCKET, is set), else nullptr.
std::unique_ptr<SystemdStatus> systemd_status_if_listening(ProgressLog& progress,
                                                           const char* notify_socket);

} // namespace pt
