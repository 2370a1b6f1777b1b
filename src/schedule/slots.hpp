// SPDX-License-Identifier: MIT
// Which slots (elapses of its schedule) a run of a scheduled task runs, after
// downtime, overruns, duplicate firings and schedule changes. Pure: the clock
// and the remembered state are inputs, the new state an output.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schedule/calendar.hpp"
#include "util/duration.hpp"

namespace pt {

using SlotTime = std::chrono::system_clock::time_point;

// Which missed slots of a scheduled task a run catches up on after downtime:
// every one in the window, oldest first; only the newest; or none (only a
// slot that is due now).
enum class CatchUp { all, latest, none };

// The most slots one run runs; more missed ones wait for the next run.
inline constexpr std::size_t k_max_slots_per_run = 1000;

// What the host remembers of a scheduled task between runs: every slot at or
// before `done_through` is done (it ran, or it came before the task was first
// seen), for the schedule whose schedule_key() is `schedule`.
struct SlotState
{
  std::string schedule;
  SlotTime done_through;

  friend bool operator==(const SlotState&, const SlotState&) = default;
};

// What a run asks: the task's schedule (a union of expressions), its policy,
// and how late a firing may be and still be "due now".
struct SlotRequest
{
  std::vector<CalendarSpec> specs;
  CatchUp catch_up = CatchUp::latest;
  Duration window = std::chrono::hours(24 * 7); // older slots never run
  Duration tolerance = std::chrono::minutes(1); // a slot this old is still due now
  std::size_t max_slots = k_max_slots_per_run;
};

// Whether a slot's run is the timer's on-time firing or a catch-up.
enum class SlotKind {
  due_now, // the newest elapse, at most `tolerance` ago
  missed,  // an older one, or the newest one fired later than `tolerance`
};

struct Slot
{
  SlotTime time;
  SlotKind kind = SlotKind::due_now;

  friend bool operator==(const Slot&, const Slot&) = default;
};

// What a run does: the slots to run, oldest first, each marked done in the
// state after it completes as SlotState{schedule, slot.time}.
struct SlotPlan
{
  std::string schedule;              // schedule_key() of the request
  std::vector<Slot> slots;           // oldest first
  std::optional<SlotState> baseline; // first sight: save this before running anything
  bool capped = false;               // more than max_slots were missed; the rest wait
  std::string note;                  // why this plan, for a debug record
};

// Returns the normalized form of `spec` with its zone spelled out (an
// expression without one is in the zone it was parsed in): "*-*-* 08:00:00 UTC".
std::string zoned_normalized(const CalendarSpec& spec);

// Returns zoned_normalized() of `specs` joined by "; ", the text a state is
// tied to (a changed schedule or zone is a new task to the slot logic).
std::string schedule_key(const std::vector<CalendarSpec>& specs);

// Returns the first elapse of any of `specs` strictly after `after`, or nullopt.
std::optional<SlotTime> next_slot(const std::vector<CalendarSpec>& specs, SlotTime after);

// Returns the slots to run at `now` given `state` (nullopt: never seen):
// - never seen, or seen with another schedule: the newest slot if it is due
//   now (at most `tolerance` ago), never older ones; `baseline` marks the
//   slots before it as done, or all slots up to `now` when none is due;
// - else, of the slots after `state.done_through` and not older than
//   `now - window`: all (oldest first, at most `max_slots`), the newest (latest),
//   or the newest if it is due now (none).
// Equal elapses of several expressions are one slot.
SlotPlan plan_slots(const SlotRequest& request, SlotTime now,
                    const std::optional<SlotState>& state);

} // namespace pt
