// SPDX-License-Identifier: MIT
// The slot rules in one place. The state is a watermark, not a list: every
// slot at or before `done_through` is done. A slot is marked by moving the
// watermark to it, so runs in order (oldest first) never leave a hole, and a
// duplicate or early firing finds its slot at or below the watermark.
//
// The work is bounded by the window and the cap, never by the downtime: the
// slots are enumerated from max(watermark, now - window) only, at most
// max_slots + 1 per expression (a minutely task after a year away costs one
// window's worth, and a secondly one stops at the cap).
#include "schedule/slots.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "schedule/timestamp.hpp"

namespace pt {

namespace {

using std::chrono::microseconds;

// Returns the newest elapse of any of `specs` at or before `at`.
std::optional<SlotTime> newest_slot(const std::vector<CalendarSpec>& specs, SlotTime at)
{
  std::optional<SlotTime> newest;
  for (const auto& spec : specs) {
    const auto last = last_elapse(spec, at);
    if (last && (!newest || *last > *newest)) {
      newest = last;
    }
  }
  return newest;
}

// Returns the union of the elapses of `specs` in (`after`, `until`], oldest
// first without duplicates, at most `limit` + 1 of them (one more tells "capped").
std::vector<SlotTime> slots_between(const std::vector<CalendarSpec>& specs, SlotTime after,
                                    SlotTime until, std::size_t limit)
{
  std::vector<SlotTime> times;
  for (const auto& spec : specs) {
    const auto some = elapses_between(spec, after, until, limit + 1);
    times.insert(times.end(), some.begin(), some.end());
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  if (times.size() > limit + 1) {
    times.resize(limit + 1);
  }
  return times;
}

SlotKind kind_of(SlotTime slot, std::optional<SlotTime> newest, SlotTime now, Duration tolerance)
{
  return newest && slot == *newest && slot >= now - tolerance ? SlotKind::due_now
                                                              : SlotKind::missed;
}

// A task never seen (or seen with another schedule) runs only a slot due now.
SlotPlan first_sight(const SlotRequest& request, SlotTime now, SlotPlan plan, bool changed)
{
  const Duration tolerance = std::min(request.tolerance, request.window);
  const auto newest = newest_slot(request.specs, now);
  const char* why = changed ? "schedule changed" : "first run of this schedule";
  if (newest && *newest >= now - tolerance) {
    plan.slots.push_back({*newest, SlotKind::due_now});
    plan.baseline = SlotState{plan.schedule, *newest - microseconds(1)};
    plan.note = fmt::format("{}: slot {} is due now; earlier slots are not run", why,
                            format_utc_timestamp(*newest));
    return plan;
  }
  plan.baseline = SlotState{plan.schedule, now};
  plan.note = fmt::format("{}: no slot is due now{}; slots from now on will run", why,
                          newest ? fmt::format(" (the last was {})", format_utc_timestamp(*newest))
                                 : std::string());
  return plan;
}

} // namespace

std::string zoned_normalized(const CalendarSpec& spec)
{
  std::string text = normalized(spec);
  if (spec.zone_kind == CalendarZone::local && spec.dst < 0) {
    text += " " + (spec.zone.empty() ? std::string("UTC") : spec.zone);
  }
  return text;
}

std::string schedule_key(const std::vector<CalendarSpec>& specs)
{
  std::string key;
  for (const auto& spec : specs) {
    key += (key.empty() ? "" : "; ") + zoned_normalized(spec);
  }
  return key;
}

std::optional<SlotTime> next_slot(const std::vector<CalendarSpec>& specs, SlotTime after)
{
  std::optional<SlotTime> next;
  for (const auto& spec : specs) {
    const auto elapse = next_elapse(spec, after);
    if (elapse && (!next || *elapse < *next)) {
      next = elapse;
    }
  }
  return next;
}

SlotPlan plan_slots(const SlotRequest& request, SlotTime now, const std::optional<SlotState>& state)
{
  SlotPlan plan;
  plan.schedule = schedule_key(request.specs);
  if (!state || state->schedule != plan.schedule) {
    return first_sight(request, now, std::move(plan), state.has_value());
  }
  // Slots after the watermark, and not older than the window.
  const SlotTime after = std::max(state->done_through, now - request.window - microseconds(1));
  const auto newest = newest_slot(request.specs, now);
  const std::string done = format_utc_timestamp(state->done_through);
  switch (request.catch_up) {
  case CatchUp::all: {
    auto times = slots_between(request.specs, after, now, request.max_slots);
    if (times.size() > request.max_slots) {
      times.resize(request.max_slots);
      plan.capped = true;
    }
    for (const auto time : times) {
      plan.slots.push_back({time, kind_of(time, newest, now, request.tolerance)});
    }
    break;
  }
  case CatchUp::latest:
    if (newest && *newest > after) {
      plan.slots.push_back({*newest, kind_of(*newest, newest, now, request.tolerance)});
    }
    break;
  case CatchUp::none:
    if (newest && *newest > after && *newest >= now - request.tolerance) {
      plan.slots.push_back({*newest, SlotKind::due_now});
    } else if (newest && *newest > after) {
      plan.note = fmt::format("catch_up = \"none\": slot {} is more than {} old; not run",
                              format_utc_timestamp(*newest), format_timespan(request.tolerance));
      return plan;
    }
    break;
  }
  if (plan.slots.empty()) {
    plan.note = newest && *newest > state->done_through
                    ? fmt::format("slots up to {} are older than catch_up_window ({}); not run",
                                  format_utc_timestamp(*newest), format_timespan(request.window))
                    : fmt::format("nothing due: slots up to {} are done", done);
  } else {
    plan.note = fmt::format(
        "{} slot{} due since {}{}", plan.slots.size(), plan.slots.size() == 1 ? "" : "s", done,
        plan.capped ? fmt::format(" (the oldest {}; the rest at the next run)", request.max_slots)
                    : std::string());
  }
  return plan;
}

} // namespace pt
