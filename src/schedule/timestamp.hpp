// SPDX-License-Identifier: MIT
// Points in time as text: the UTC form slots are written in, systemd's form
// for people, and the base times `periodic_tasks calendar` accepts.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace pt {

using TimePoint = std::chrono::system_clock::time_point;

// Formats `time` in UTC as RFC 3339 with a "Z": "2026-12-07T07:00:00Z", with
// six decimals only when it has a fraction of a second
// ("2026-12-07T07:00:00.500000Z"); sub-microsecond parts are dropped.
std::string format_utc_timestamp(TimePoint time);

// Formats `time` as systemd prints a timestamp, in `zone` (a name
// check_timezone() accepts): "Sun 2024-03-31 00:00:00 CET". Sets TZ for a moment.
std::string format_zone_timestamp(TimePoint time, std::string_view zone);

// Parses "@SECONDS[.FRACTION]" (since 1970 UTC) or "YYYY-MM-DD HH:MM[:SS[.FRACTION]][ ZONE]",
// where ZONE is "UTC" or an IANA zone; without ZONE the time is in
// `default_zone`. A local time that does not exist (DST) is read as mktime()
// reads it. Returns why not, fit for "invalid time \"TEXT\": <why>".
tl::expected<TimePoint, std::string> parse_timestamp(std::string_view text,
                                                     std::string_view default_zone);

} // namespace pt
