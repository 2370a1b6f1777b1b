// SPDX-License-Identifier: MIT
#include "util/deadline.hpp"

#include <algorithm>

namespace pt {

std::optional<SteadyTime> deadline_after(SteadyTime now, Duration duration)
{
  if (duration == k_infinite || duration > std::chrono::hours(24 * 365 * 100)) {
    return std::nullopt;
  }
  return now + std::max(duration, Duration::zero());
}

std::optional<SteadyTime> earliest(std::optional<SteadyTime> a, std::optional<SteadyTime> b)
{
  if (!a || !b) {
    return a ? a : b;
  }
  return std::min(*a, *b);
}

int poll_timeout_ms(SteadyTime now, std::optional<SteadyTime> wake)
{
  if (!wake) {
    return static_cast<int>(k_max_poll_wait.count());
  }
  if (*wake <= now) {
    return 0;
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wake - now);
  return static_cast<int>(std::min(ms, k_max_poll_wait).count());
}

} // namespace pt
