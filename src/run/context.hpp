// SPDX-License-Identifier: MIT
// Run identifiers and the as-of date.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace pt {

// Returns a fresh random run id: 32 lower-case hex digits (a 128-bit id, like journald's).
std::string new_run_id();

// Checks that `text` is a real calendar date written YYYY-MM-DD; returns it, or why not.
tl::expected<std::string, std::string> parse_as_of(std::string_view text);

// Returns the calendar date of `now` in IANA zone `zone` as YYYY-MM-DD, or
// an error if the zone is not a zone file (TZif) under /usr/share/zoneinfo.
tl::expected<std::string, std::string> local_date(std::chrono::system_clock::time_point now,
                                                  const std::string& zone);

} // namespace pt
