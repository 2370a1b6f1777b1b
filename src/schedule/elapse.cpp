// SPDX-License-Identifier: MIT
// When a calendar expression elapses next: a port of systemd 252's
// find_next() and calendar_spec_next_usec() (src/shared/calendarspec.c).
//
// The hard part is local time, and the answer is to do what systemd does, call
// for call. systemd walks a broken-down time (struct tm) field by field from
// the year down, moving each field to the next value its list allows, and
// after every move asks glibc's mktime() to normalize the result: a day 31 in
// April comes back as May 1, and a time in a DST gap (02:30 on a spring-forward
// day) comes back shifted, which systemd takes as "that field overflowed, start
// over from the normalized time". That is how a local time that does not exist
// is skipped. A local time that exists twice (fall back) is resolved by
// mktime() with tm_isdst = -1, and glibc resolves it with the UTC offset of its
// previous call as the first guess: so the result depends on the exact sequence
// of mktime() calls, and this file keeps systemd's sequence (find_end_of_month,
// tm_within_bounds, matches_weekday, the final conversion) rather than a
// cleverer one. Both programs run the same glibc on the same zone files, so
// the same calls give the same answers; test_calendar_differential.sh checks
// that they do.
//
// systemd computes an expression with a zone in a forked child with TZ set;
// we set TZ for the computation (ScopedTimezone) and put it back: the runner
// computes slots single-threaded. UTC expressions use timegm()/gmtime_r().
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <utility>

#include "schedule/calendar.hpp"
#include "schedule/zone.hpp"

namespace pt {
namespace {

constexpr int k_max_year = 2199;
constexpr int k_usec_per_sec = 1'000'000;
constexpr int k_max_rounds = 1000; // systemd's MAX_CALENDAR_ITERATIONS safety valve
// systemd's USEC_TIMESTAMP_FORMATTABLE_MAX: 9999-12-30 23:59:59.999999 UTC.
constexpr std::int64_t k_formattable_max = 253'402'214'399'999'999;

using Micros = std::chrono::microseconds;

enum class Found { yes, never };
enum class Round { matched, again, never };

// The time being moved forward, in the zone's local time.
struct Cursor
{
  std::tm tm;
  int usec;
};

enum class Field { year, month, day, hour, minute };

// Resets every field smaller than `field` to its first value.
void reset_below(Cursor& c, Field field)
{
  switch (field) {
  case Field::year:
    c.tm.tm_mon = 0;
    [[fallthrough]];
  case Field::month:
    c.tm.tm_mday = 1;
    [[fallthrough]];
  case Field::day:
    c.tm.tm_hour = 0;
    [[fallthrough]];
  case Field::hour:
    c.tm.tm_min = 0;
    [[fallthrough]];
  case Field::minute:
    c.tm.tm_sec = 0;
    c.usec = 0;
    break;
  }
}

int compare(int a, int b)
{
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Compares the fields of two broken-down times, year first.
int compare_fields(const std::tm& a, const std::tm& b)
{
  for (const auto& [x, y] : {std::pair{a.tm_year, b.tm_year}, std::pair{a.tm_mon, b.tm_mon},
                             std::pair{a.tm_mday, b.tm_mday}, std::pair{a.tm_hour, b.tm_hour},
                             std::pair{a.tm_min, b.tm_min}, std::pair{a.tm_sec, b.tm_sec}}) {
    if (x != y) {
      return compare(x, y);
    }
  }
  return 0;
}

// A computation in one zone: TZ is already set for local ones.
class Evaluator
{
public:
  explicit Evaluator(const CalendarSpec& spec)
      : m_spec(spec), m_utc(spec.zone_kind == CalendarZone::utc)
  {
  }

  // systemd's calendar_spec_next_usec_impl(): the first elapse after `usec`.
  std::optional<std::int64_t> next(std::int64_t usec) const;

private:
  std::time_t to_time(std::tm& tm) const { return m_utc ? ::timegm(&tm) : ::mktime(&tm); }
  int end_of_month_day(const std::tm& tm, int day) const;
  int match(const CalendarChain& chain, const std::tm& tm, int& value) const;
  int within_bounds(std::tm& tm) const;
  bool matches_weekday(const std::tm& tm) const;
  Round date_round(Cursor& c) const;
  Round time_round(Cursor& c) const;
  Found find_next(std::tm& tm, int& usec) const;

  const CalendarSpec& m_spec;
  bool m_utc;
};

// The day of the month `day` days before its end counts from 1 (1: the last
// day), or -1 when that is in another month (systemd's find_end_of_month()).
int Evaluator::end_of_month_day(const std::tm& tm, int day) const
{
  std::tm t = tm;
  ++t.tm_mon;
  t.tm_mday = 1 - day;
  if (to_time(t) < 0 || t.tm_mon != tm.tm_mon) {
    return -1;
  }
  return t.tm_mday;
}

// Moves `value` to the earliest value at or after it that `chain` allows:
// returns 1 when it moved, 0 when it already matched, -1 when none is left
// (systemd's find_matching_component()).
int Evaluator::match(const CalendarChain& chain, const std::tm& tm, int& value) const
{
  if (chain.empty()) {
    return 0;
  }
  const bool end_of_month = m_spec.end_of_month && &chain == &m_spec.day;
  std::optional<int> best;
  for (const auto& c : chain) {
    int start = c.start;
    int stop = c.stop;
    if (end_of_month) {
      start = end_of_month_day(tm, c.start);
      stop = end_of_month_day(tm, c.stop);
      if (stop > 0) {
        std::swap(start, stop);
      }
    }
    if (start >= value) {
      if (!best || start < *best) {
        best = start;
      }
    } else if (c.repeat > 0) {
      const int k = start + c.repeat * ((value - start + c.repeat - 1) / c.repeat);
      if ((!best || k < *best) && (stop < 0 || k <= stop)) {
        best = k;
      }
    }
  }
  if (!best) {
    return -1;
  }
  const int moved = value != *best ? 1 : 0;
  value = *best;
  return moved;
}

// Normalizes `tm` like mktime() and says whether it was in range: 1 when
// nothing changed, 0 when it rolled over (`tm` becomes the normalized time,
// the next smaller field reset), -1 when it cannot be used (past 2199,
// unrepresentable, or moved backwards) (systemd's tm_within_bounds()).
int Evaluator::within_bounds(std::tm& tm) const
{
  if (tm.tm_year + 1900 > k_max_year) {
    return -1;
  }
  std::tm t = tm;
  if (to_time(t) < 0) {
    return -1;
  }
  int cmp = 0;
  if ((cmp = compare(t.tm_year, tm.tm_year)) != 0) {
    t.tm_mon = 0;
  } else if ((cmp = compare(t.tm_mon, tm.tm_mon)) != 0) {
    t.tm_mday = 1;
  } else if ((cmp = compare(t.tm_mday, tm.tm_mday)) != 0) {
    t.tm_hour = 0;
  } else if ((cmp = compare(t.tm_hour, tm.tm_hour)) != 0) {
    t.tm_min = 0;
  } else if ((cmp = compare(t.tm_min, tm.tm_min)) != 0) {
    t.tm_sec = 0;
  } else {
    cmp = compare(t.tm_sec, tm.tm_sec);
  }
  if (cmp < 0) {
    return -1;
  }
  if (cmp > 0) {
    tm = t;
  }
  return cmp == 0 ? 1 : 0;
}

bool Evaluator::matches_weekday(const std::tm& tm) const
{
  if (m_spec.weekdays == 0) {
    return true;
  }
  std::tm t = tm;
  if (to_time(t) < 0) {
    return false;
  }
  const int monday_based = t.tm_wday == 0 ? 6 : t.tm_wday - 1;
  return (m_spec.weekdays & (1U << monday_based)) != 0;
}

// The year, month, day and weekday steps of one round: each field moves to
// its next allowed value, or carries into the field above.
Round Evaluator::date_round(Cursor& c) const
{
  c.tm.tm_year += 1900;
  int r = match(m_spec.year, c.tm, c.tm.tm_year);
  c.tm.tm_year -= 1900;
  if (r > 0) {
    reset_below(c, Field::year);
  }
  if (r < 0 || within_bounds(c.tm) <= 0) {
    return Round::never;
  }

  c.tm.tm_mon += 1;
  r = match(m_spec.month, c.tm, c.tm.tm_mon);
  c.tm.tm_mon -= 1;
  if (r > 0) {
    reset_below(c, Field::month);
  }
  if (r < 0 || (r = within_bounds(c.tm)) < 0) {
    ++c.tm.tm_year;
    reset_below(c, Field::year);
    return Round::again;
  }
  if (r == 0) {
    return Round::again;
  }

  r = match(m_spec.day, c.tm, c.tm.tm_mday);
  if (r > 0) {
    reset_below(c, Field::day);
  }
  if (r < 0 || (r = within_bounds(c.tm)) < 0) {
    ++c.tm.tm_mon;
    reset_below(c, Field::month);
    return Round::again;
  }
  if (r == 0) {
    return Round::again;
  }

  if (!matches_weekday(c.tm)) {
    ++c.tm.tm_mday;
    reset_below(c, Field::day);
    return Round::again;
  }
  return Round::matched;
}

// The hour, minute and second steps of one round.
Round Evaluator::time_round(Cursor& c) const
{
  int r = match(m_spec.hour, c.tm, c.tm.tm_hour);
  if (r > 0) {
    reset_below(c, Field::hour);
  }
  if (r < 0 || (r = within_bounds(c.tm)) < 0) {
    ++c.tm.tm_mday;
    reset_below(c, Field::day);
    return Round::again;
  }
  if (r == 0) { // the hour may not exist today (DST): start over from the normalized time
    return Round::again;
  }

  r = match(m_spec.minute, c.tm, c.tm.tm_min);
  if (r > 0) {
    reset_below(c, Field::minute);
  }
  if (r < 0 || (r = within_bounds(c.tm)) < 0) {
    ++c.tm.tm_hour;
    reset_below(c, Field::hour);
    return Round::again;
  }
  if (r == 0) {
    return Round::again;
  }

  c.tm.tm_sec = c.tm.tm_sec * k_usec_per_sec + c.usec;
  r = match(m_spec.second, c.tm, c.tm.tm_sec);
  c.usec = c.tm.tm_sec % k_usec_per_sec;
  c.tm.tm_sec /= k_usec_per_sec;
  if (r < 0 || (r = within_bounds(c.tm)) < 0) {
    ++c.tm.tm_min;
    reset_below(c, Field::minute);
    return Round::again;
  }
  return r == 0 ? Round::again : Round::matched;
}

// Moves `tm` and `usec` to the first matching time at or after them, in
// rounds that each start from a normalized time (systemd's find_next()).
Found Evaluator::find_next(std::tm& tm, int& usec) const
{
  Cursor c{tm, usec};
  bool invalidate_dst = false;
  for (int round = 0; round < k_max_rounds; ++round) {
    static_cast<void>(to_time(c.tm)); // normalize
    if (!invalidate_dst) {
      c.tm.tm_isdst = m_spec.dst;
    }
    const Round date = date_round(c);
    if (date == Round::never) {
      return Found::never;
    }
    if (date == Round::again || time_round(c) == Round::again) {
      continue;
    }
    // A time forced into standard or daylight time ("CET") can normalize to
    // one at or before the start: then leave the DST flag to mktime() from the
    // next hour on (systemd 252.x, "We're stuck").
    int cmp = compare_fields(tm, c.tm);
    if (cmp == 0) {
      cmp = compare(usec, c.usec + 1);
    }
    if (cmp >= 0) {
      invalidate_dst = true;
      ++c.tm.tm_hour;
      continue;
    }
    tm = c.tm;
    usec = c.usec;
    return Found::yes;
  }
  return Found::never; // systemd gives up too (EDEADLK) rather than loop forever
}

std::optional<std::int64_t> Evaluator::next(std::int64_t usec) const
{
  if (usec > k_formattable_max) {
    return std::nullopt;
  }
  ++usec;
  std::time_t t = usec / k_usec_per_sec;
  std::tm tm{};
  if ((m_utc ? ::gmtime_r(&t, &tm) : ::localtime_r(&t, &tm)) == nullptr) {
    return std::nullopt;
  }
  int tm_usec = static_cast<int>(usec % k_usec_per_sec);
  if (find_next(tm, tm_usec) == Found::never) {
    return std::nullopt;
  }
  t = to_time(tm);
  if (t < 0) {
    return std::nullopt;
  }
  return std::int64_t{t} * k_usec_per_sec + tm_usec;
}

// Sets TZ for a computation in a local or named zone; nothing for UTC.
class SpecZone
{
public:
  explicit SpecZone(const CalendarSpec& spec)
  {
    if (spec.zone_kind != CalendarZone::utc) {
      m_scoped.emplace(spec.zone);
    }
  }

private:
  std::optional<ScopedTimezone> m_scoped;
};

// Microseconds since the epoch, floored and clamped to what systemd computes
// with: times before 1970 count as 1970.
std::int64_t to_usec(CalendarTime time)
{
  return std::clamp<std::int64_t>(std::chrono::floor<Micros>(time.time_since_epoch()).count(), 0,
                                  k_formattable_max + 1);
}

CalendarTime from_usec(std::int64_t usec)
{
  return CalendarTime(std::chrono::duration_cast<CalendarTime::duration>(Micros(usec)));
}

} // namespace

std::optional<CalendarTime> next_elapse(const CalendarSpec& spec, CalendarTime after)
{
  const SpecZone zone(spec);
  const auto next = Evaluator(spec).next(to_usec(after));
  if (!next) {
    return std::nullopt;
  }
  return from_usec(*next);
}

std::optional<CalendarTime> last_elapse(const CalendarSpec& spec, CalendarTime at)
{
  const SpecZone zone(spec);
  const Evaluator evaluator(spec);
  const std::int64_t limit = to_usec(at);
  const auto due = [&](std::int64_t after) {
    const auto next = evaluator.next(after);
    return next && *next <= limit;
  };
  // Widen the window back from `at` until an elapse falls in it, then narrow
  // it down to the latest `after` whose next elapse is still due: next() is
  // monotonic in `after`, and its next elapse is the last one at or before `at`.
  std::int64_t span = 60LL * k_usec_per_sec;
  std::int64_t low = limit - span;
  while (!due(std::max<std::int64_t>(low, -1))) {
    if (low <= -1) {
      return std::nullopt;
    }
    span *= 4;
    low = limit - span;
  }
  low = std::max<std::int64_t>(low, -1);
  std::int64_t high = limit; // next(limit) > limit: never due
  while (high - low > 1) {
    const std::int64_t middle = low + (high - low) / 2;
    (due(middle) ? low : high) = middle;
  }
  return from_usec(*evaluator.next(low));
}

std::vector<CalendarTime> elapses_between(const CalendarSpec& spec, CalendarTime after,
                                          CalendarTime until, std::size_t limit)
{
  const SpecZone zone(spec);
  const Evaluator evaluator(spec);
  const std::int64_t end = to_usec(until);
  std::vector<CalendarTime> times;
  std::int64_t cursor = to_usec(after);
  while (times.size() < limit) {
    const auto next = evaluator.next(cursor);
    if (!next || *next > end) {
      break;
    }
    times.push_back(from_usec(*next));
    cursor = *next;
  }
  return times;
}

} // namespace pt
