// SPDX-License-Identifier: MIT
// systemd time spans ("90s", "5min", "1h 30min") and byte sizes ("1MiB").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace pt {

using Duration = std::chrono::microseconds;

// No limit: what "infinity" parses to.
inline constexpr Duration k_infinite = Duration::max();

// Parses a systemd time span as systemd.time(7) defines it: numbers with units
// (us, ms, s, min, h, d, w, M, y and their long forms), optionally fractional,
// summed; a bare number is seconds; "infinity" is k_infinite. Returns an
// explanation fit for "bad duration ...: <explanation>" on failure.
tl::expected<Duration, std::string> parse_timespan(std::string_view text);

// Formats `d` the way systemd does ("1h 30min", "1.500s", "infinity").
std::string format_timespan(Duration d);

// Parses a byte size: a bare integer, or with a suffix B, K/KiB, M/MiB, G/GiB
// (base 1024) or KB, MB, GB (base 1000).
tl::expected<std::uint64_t, std::string> parse_size(std::string_view text);

// Formats `bytes` compactly ("512B", "1MiB", "1.5GiB").
std::string format_size(std::uint64_t bytes);

} // namespace pt
