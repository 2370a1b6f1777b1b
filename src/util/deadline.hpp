// SPDX-License-Identifier: MIT
// Deadlines on the steady clock, and how long poll() may sleep before one.
#pragma once

#include <chrono>
#include <optional>

#include "util/duration.hpp"

namespace pt {

using SteadyTime = std::chrono::steady_clock::time_point;

// The longest poll() sleep poll_timeout_ms() returns, so a loop looks again now and then.
inline constexpr std::chrono::milliseconds k_max_poll_wait{60'000};

// Returns `now` + `duration` (`now` for a negative one); nullopt ("never") for
// k_infinite or anything beyond a century, which also keeps the sum from overflowing.
std::optional<SteadyTime> deadline_after(SteadyTime now, Duration duration);

// Returns the earlier of `a` and `b`, where nullopt is "never".
std::optional<SteadyTime> earliest(std::optional<SteadyTime> a, std::optional<SteadyTime> b);

// Returns poll()'s timeout in ms from `now` until `wake`: rounded up, so poll()
// never returns before `wake`; 0 once it has passed; at most k_max_poll_wait,
// which is also the timeout without a `wake` (nullopt).
int poll_timeout_ms(SteadyTime now, std::optional<SteadyTime> wake);

} // namespace pt
