// SPDX-License-Identifier: MIT
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <pthread.h>
#include <signal.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "journal/notify.hpp"
#include "test_support.hpp"

using namespace pt;
using namespace std::chrono_literals;
using pt::test::DatagramSocket;
using pt::test::FakeClock;
using pt::test::FakeStatusSink;
using pt::test::RecordingLog;
using pt::test::ScopedEnv;

namespace {

Record task_started(const std::string& task)
{
  return {Priority::info,
          "task started",
          message_id::task_started,
          {{"TASK", task}, {"TASK_POSITION", "1/1"}}};
}

} // namespace

TEST_CASE("StatusPublisher: sends from a thread with the stop signals blocked")
{
  RecordingLog inner;
  FakeClock clock;
  FakeStatusSink sink;
  bool all_blocked = true;
  std::thread::id sender;
  sink.on_send = [&](const std::string&) {
    sigset_t mask;
    ::pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) {
      all_blocked = all_blocked && sigismember(&mask, signal) == 1;
    }
    sender = std::this_thread::get_id();
  };
  ProgressLog log(inner, clock);
  {
    StatusPublisher publisher(log, sink, 1h);
    log.emit(task_started("a"));
  } // the destructor sends what is waiting, then joins
  REQUIRE(sink.sent().size() == 1);
  CHECK(sink.sent().front().rfind("Running 1/1: a (", 0) == 0);
  CHECK(all_blocked);
  CHECK(sender != std::this_thread::get_id());

  // This thread's mask is as it was.
  sigset_t mask;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  CHECK(sigismember(&mask, SIGTERM) == 0);
}

TEST_CASE("StatusPublisher: the destructor stops the thread at once, whatever the refresh")
{
  RecordingLog inner;
  FakeClock clock;
  FakeStatusSink sink;
  ProgressLog log(inner, clock);
  const auto start = std::chrono::steady_clock::now();
  {
    StatusPublisher publisher(log, sink, 1h);
    std::this_thread::sleep_for(20ms); // let it wait on its condition
  }
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(sink.sent().empty()); // nothing happened: nothing to say
}

TEST_CASE("SdNotifySink: one STATUS= datagram per line to $NOTIFY_SOCKET")
{
  DatagramSocket socket("notify");
  {
    const ScopedEnv env("NOTIFY_SOCKET", socket.path());
    SdNotifySink sink;
    sink.send_status("Running 3/7: vacuum-events (41s)");
    sink.send_status("two\nlines");
    sink.send_status("Running 1/1: x\x1b[2J\rMAINPID=1");
  }
  CHECK(socket.receive() == "STATUS=Running 3/7: vacuum-events (41s)");
  CHECK(socket.receive() == "STATUS=two\\nlines"); // a newline would start a new assignment
  CHECK(socket.receive() == "STATUS=Running 1/1: x\\x1b[2J\\rMAINPID=1");
}

TEST_CASE("notify_send: '@' names a socket in the abstract namespace")
{
  const std::string name = "@pt-notify-test-" + std::to_string(::getpid());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  name.copy(address.sun_path, sizeof(address.sun_path) - 1);
  address.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) == 0);
  CHECK(notify_send(name.c_str(), "STATUS=abstract") == 0);
  std::array<char, 64> buffer{};
  const auto n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
  CHECK(std::string(buffer.data(), n > 0 ? static_cast<std::size_t>(n) : 0) == "STATUS=abstract");
  ::close(fd);
}

TEST_CASE("notify_send: nothing to do without a socket; errors come back as -errno")
{
  CHECK(notify_send(nullptr, "STATUS=x") == 0);
  CHECK(notify_send("", "STATUS=x") == 0);
  CHECK(notify_send("/nonexistent/pt-test/notify", "STATUS=x") == -ENOENT);
  CHECK(notify_send("relative/path", "STATUS=x") == -EAFNOSUPPORT);
  CHECK(notify_send(("/" + std::string(200, 'x')).c_str(), "STATUS=x") == -EINVAL);
}

TEST_CASE("systemd_status_if_listening: only when $NOTIFY_SOCKET is set")
{
  RecordingLog inner;
  FakeClock clock;
  ProgressLog log(inner, clock);
  CHECK(systemd_status_if_listening(log, nullptr) == nullptr);
  CHECK(systemd_status_if_listening(log, "") == nullptr);

  DatagramSocket socket("notify");
  const ScopedEnv env("NOTIFY_SOCKET", socket.path());
  {
    const auto status = systemd_status_if_listening(log, socket.path().c_str());
    REQUIRE(status != nullptr);
    log.emit(task_started("a"));
    const auto first = socket.receive();
    REQUIRE(first.has_value());
    CHECK(first->rfind("STATUS=Running 1/1: a (", 0) == 0);
  }
}
