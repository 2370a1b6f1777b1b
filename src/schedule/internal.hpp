// SPDX-License-Identifier: MIT
// The inside of the calendar parser, shared by schedule/calendar.cpp (the zone,
// the shorthands, the text systemd prints) and schedule/calendar_parse.cpp (the
// fields, normalization and checks); no other folder includes it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "schedule/calendar.hpp"

namespace pt::calendar {

inline constexpr int k_usec_per_sec = 1'000'000;

// What went wrong, at a 0-based offset into the expression.
struct Failure
{
  std::size_t offset = 0;
  std::string message;
  std::string hint;
};

// A component and where it was written, for the checks that run after sorting.
struct Located
{
  CalendarComponent component;
  std::size_t offset = 0;
};

using LocatedChain = std::vector<Located>;

// The fields as written, before normalization; an empty chain is "*".
struct Fields
{
  unsigned weekdays = 0;
  LocatedChain year;
  LocatedChain month;
  LocatedChain day;
  bool end_of_month = false;
  LocatedChain hour;
  LocatedChain minute;
  LocatedChain second;
  bool utc = false; // "@SECONDS" is a UTC time whatever zone follows
};

// Parses `body` (the expression without its zone, a prefix of the text) into
// `fields`: weekdays, then a date or "@SECONDS", then a time.
tl::expected<void, Failure> parse_fields(std::string_view body, Fields& fields);

// Normalizes `fields` as systemd does (two-digit years, ranges cut to their
// step, lists sorted without duplicates) into `spec`, then checks each value
// against its field's range.
tl::expected<void, Failure> normalize_and_check(Fields fields, CalendarSpec& spec);

} // namespace pt::calendar
