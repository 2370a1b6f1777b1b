// SPDX-License-Identifier: MIT
// An owned file descriptor, and the pidfd calls, for the process_* files only.
#pragma once

#include <unistd.h>
#include <utility>

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" that its other headers have
// (fixed in 2.37); without this, C++ callers link against mangled names.
extern "C" {
#include <sys/pidfd.h>
}

namespace pt {

// Closes the descriptor it holds when destroyed or reset; -1 holds nothing.
class UniqueFd
{
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept
  {
    reset(std::exchange(other.m_fd, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return m_fd; }
  void reset(int fd = -1)
  {
    if (m_fd >= 0) {
      ::close(m_fd); // never retried: Linux closes the fd even on EINTR
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

} // namespace pt
