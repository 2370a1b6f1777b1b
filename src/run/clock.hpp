// SPDX-License-Identifier: MIT
// Time as an input: the runner asks a Clock instead of reading the system clock.
#pragma once

#include <chrono>

namespace pt {

class Clock
{
public:
  virtual ~Clock() = default;
  // Returns the monotonic time, for durations.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
  // Returns the wall-clock time, for timestamps people read.
  virtual std::chrono::system_clock::time_point wall() const = 0;
};

class SystemClock final : public Clock
{
public:
  std::chrono::steady_clock::time_point monotonic() const override
  {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point wall() const override
  {
    return std::chrono::system_clock::now();
  }
};

} // namespace pt
