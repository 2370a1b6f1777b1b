// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "util/deadline.hpp"

using namespace std::chrono_literals;
using pt::deadline_after;
using pt::earliest;
using pt::k_infinite;
using pt::poll_timeout_ms;
using pt::SteadyTime;

namespace {

const SteadyTime k_now = SteadyTime() + 1000h;

} // namespace

TEST_CASE("deadline_after: now plus the duration")
{
  CHECK(deadline_after(k_now, 5s) == k_now + 5s);
  CHECK(deadline_after(k_now, 0s) == k_now);
  CHECK(deadline_after(k_now, -3s) == k_now); // a negative duration has passed already
}

TEST_CASE("deadline_after: never for infinity and beyond a century")
{
  CHECK_FALSE(deadline_after(k_now, k_infinite));
  CHECK_FALSE(deadline_after(k_now, std::chrono::hours(24 * 365 * 100) + 1us));
  CHECK(deadline_after(k_now, std::chrono::hours(24 * 365 * 100)));
}

TEST_CASE("earliest: the earlier deadline, never losing to a real one")
{
  const std::optional<SteadyTime> never;
  CHECK(earliest(k_now + 1s, k_now + 2s) == k_now + 1s);
  CHECK(earliest(k_now + 2s, k_now + 1s) == k_now + 1s);
  CHECK(earliest(never, k_now + 1s) == k_now + 1s);
  CHECK(earliest(k_now + 1s, never) == k_now + 1s);
  CHECK_FALSE(earliest(never, never));
}

TEST_CASE("poll_timeout_ms: milliseconds until the wake, rounded up")
{
  CHECK(poll_timeout_ms(k_now, k_now + 250ms) == 250);
  CHECK(poll_timeout_ms(k_now, k_now + 1us) == 1); // never wakes early
  CHECK(poll_timeout_ms(k_now, k_now + 1500us) == 2);
}

TEST_CASE("poll_timeout_ms: 0 once the wake has passed")
{
  CHECK(poll_timeout_ms(k_now, k_now) == 0);
  CHECK(poll_timeout_ms(k_now, k_now - 1s) == 0);
}

TEST_CASE("poll_timeout_ms: at most a minute, also without a wake")
{
  CHECK(poll_timeout_ms(k_now, k_now + 1h) == 60'000);
  CHECK(poll_timeout_ms(k_now, std::nullopt) == 60'000);
}
