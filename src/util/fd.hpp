// SPDX-License-Identifier: MIT
// An owned file descriptor.
#pragma once

#include <unistd.h>
#include <utility>

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
  // Returns the descriptor and gives up owning it (for a close whose error matters).
  int release() { return std::exchange(m_fd, -1); }
  // Closes the descriptor held, if any, and holds `fd` instead.
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
