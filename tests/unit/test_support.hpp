// SPDX-License-Identifier: MIT
// Small helpers several unit tests share: a scratch directory, a scoped
// environment variable, a socket bound where a file is expected, and a
// datagram socket standing in for journald's or systemd's notify socket.
#pragma once

#include <array>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

namespace pt::test {

// A scratch directory, pt-<name>-XXXXXX in the temp directory, removed with
// everything in it at the end of the test.
class TempDir
{
public:
  explicit TempDir(std::string_view name = "test")
  {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("pt-" + std::string(name) + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    m_path = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir()
  {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

  // Creates `dir` and its missing parents with mode 0755, whatever the umask.
  void make_dirs(const std::filesystem::path& dir) const
  {
    if (dir == m_path || std::filesystem::exists(dir)) {
      return;
    }
    make_dirs(dir.parent_path());
    std::filesystem::create_directory(dir);
    std::filesystem::permissions(dir, static_cast<std::filesystem::perms>(0755));
  }

  // Writes `text` to `relative` (creating directories) with `mode`; returns the path.
  std::filesystem::path
  write(const std::string& relative, std::string_view text,
        std::filesystem::perms mode = static_cast<std::filesystem::perms>(0644)) const
  {
    const auto file = m_path / relative;
    make_dirs(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    std::filesystem::permissions(file, mode);
    return file;
  }

private:
  std::filesystem::path m_path;
};

// Sets an environment variable for one test and restores it afterwards
// (TZ is re-read by tzset() both times).
class ScopedEnv
{
public:
  ScopedEnv(const char* name, const std::string& value) : m_name(name)
  {
    if (const char* old = std::getenv(name)) {
      m_old = old;
    }
    ::setenv(name, value.c_str(), 1);
    ::tzset();
  }
  ~ScopedEnv()
  {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
    ::tzset();
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

// A unix stream socket bound at `path`: a socket where a file is expected.
class BoundSocket
{
public:
  explicit BoundSocket(const std::filesystem::path& path)
      : m_fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
  {
    REQUIRE(m_fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof(address.sun_path));
    path.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
    REQUIRE(::bind(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~BoundSocket() { ::close(m_fd); }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;

private:
  int m_fd;
};

// A datagram socket bound in a fresh directory; receive() waits two seconds at most.
class DatagramSocket
{
public:
  explicit DatagramSocket(const std::string& name)
  {
    m_dir = std::filesystem::temp_directory_path() /
            ("pt-" + name + "-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
    m_path = (m_dir / name).string();
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    m_path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    REQUIRE(::bind(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    timeval timeout{2, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~DatagramSocket()
  {
    ::close(m_fd);
    std::filesystem::remove_all(m_dir);
  }
  DatagramSocket(const DatagramSocket&) = delete;
  DatagramSocket& operator=(const DatagramSocket&) = delete;
  const std::string& path() const { return m_path; }

  // What one datagram carried: its payload, and the descriptor passed with it.
  struct Received
  {
    std::string payload;
    int fd = -1;
  };
  // Returns the next datagram, or nothing after two seconds.
  std::optional<Received> receive_with_fd()
  {
    std::vector<char> buffer(1 << 20);
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const auto n = ::recvmsg(m_fd, &message, MSG_CMSG_CLOEXEC);
    if (n < 0) {
      return std::nullopt;
    }
    Received received{std::string(buffer.data(), static_cast<std::size_t>(n)), -1};
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        std::memcpy(&received.fd, CMSG_DATA(c), sizeof(int));
      }
    }
    return received;
  }
  // Returns the next datagram's payload, or nothing after two seconds.
  std::optional<std::string> receive()
  {
    auto received = receive_with_fd();
    if (!received) {
      return std::nullopt;
    }
    if (received->fd >= 0) {
      ::close(received->fd);
    }
    return std::move(received->payload);
  }

private:
  std::filesystem::path m_dir;
  std::string m_path;
  int m_fd = -1;
};

} // namespace pt::test
