// SPDX-License-Identifier: MIT
#include <chrono>

#include <doctest/doctest.h>

#include "schedule/slots.hpp"
#include "schedule/timestamp.hpp"

using namespace pt;
using namespace std::chrono_literals;

namespace {

SlotTime at(const char* text)
{
  return parse_timestamp(text, "UTC").value();
}

std::string utc(SlotTime time)
{
  return format_utc_timestamp(time);
}

SlotRequest request(std::initializer_list<const char*> expressions, CatchUp catch_up)
{
  SlotRequest r;
  for (const char* text : expressions) {
    r.specs.push_back(parse_calendar(text, "UTC").value());
  }
  r.catch_up = catch_up;
  r.window = std::chrono::hours(24 * 7);
  r.tolerance = 2min;
  return r;
}

SlotState done(const SlotRequest& r, const char* through)
{
  return {schedule_key(r.specs), at(through)};
}

// The slots of `plan` as "TIME kind" strings, oldest first.
std::vector<std::string> slots(const SlotPlan& plan)
{
  std::vector<std::string> out;
  for (const auto& slot : plan.slots) {
    out.push_back(utc(slot.time) + (slot.kind == SlotKind::due_now ? " due" : " missed"));
  }
  return out;
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("schedule_key: the normalized expressions joined by \"; \"")
{
  const auto r = request({"daily", "Mon 8:00"}, CatchUp::all);
  CHECK(schedule_key(r.specs) == "*-*-* 00:00:00 UTC; Mon *-*-* 08:00:00 UTC");
}

TEST_CASE("next_slot: the earliest elapse of the union")
{
  const auto r = request({"*-*-* 19:00", "*-*-* 07:00"}, CatchUp::all);
  CHECK(utc(next_slot(r.specs, at("2026-12-07 08:00:00")).value()) == "2026-12-07T19:00:00Z");
  CHECK(utc(next_slot(r.specs, at("2026-12-07 20:00:00")).value()) == "2026-12-08T07:00:00Z");
}

TEST_CASE("plan_slots: downtime of 3 days, per policy")
{
  // Daily at 07:00; the last slot done is Dec 4's; the machine is back on Dec 7 at 07:00:20.
  const SlotTime now = at("2026-12-07 07:00:20");
  SUBCASE("all: every missed slot, oldest first, the newest one due now")
  {
    const auto r = request({"*-*-* 07:00"}, CatchUp::all);
    const auto plan = plan_slots(r, now, done(r, "2026-12-04 07:00:00"));
    CHECK(slots(plan) == Strings{"2026-12-05T07:00:00Z missed", "2026-12-06T07:00:00Z missed",
                                 "2026-12-07T07:00:00Z due"});
    CHECK_FALSE(plan.baseline);
    CHECK_FALSE(plan.capped);
    CHECK(plan.note == "3 slots due since 2026-12-04T07:00:00Z");
  }
  SUBCASE("latest: only the newest")
  {
    const auto r = request({"*-*-* 07:00"}, CatchUp::latest);
    CHECK(slots(plan_slots(r, now, done(r, "2026-12-04 07:00:00"))) ==
          Strings{"2026-12-07T07:00:00Z due"});
  }
  SUBCASE("latest, back at 10:00: the newest, as a catch-up")
  {
    const auto r = request({"*-*-* 07:00"}, CatchUp::latest);
    CHECK(slots(plan_slots(r, at("2026-12-07 10:00:00"), done(r, "2026-12-04 07:00:00"))) ==
          Strings{"2026-12-07T07:00:00Z missed"});
  }
  SUBCASE("none: the slot due now only")
  {
    const auto r = request({"*-*-* 07:00"}, CatchUp::none);
    CHECK(slots(plan_slots(r, now, done(r, "2026-12-04 07:00:00"))) ==
          Strings{"2026-12-07T07:00:00Z due"});
  }
  SUBCASE("none, back at 10:00: nothing, and why")
  {
    const auto r = request({"*-*-* 07:00"}, CatchUp::none);
    const auto plan = plan_slots(r, at("2026-12-07 10:00:00"), done(r, "2026-12-04 07:00:00"));
    CHECK(plan.slots.empty());
    CHECK(plan.note == "catch_up = \"none\": slot 2026-12-07T07:00:00Z is more than 2min old; "
                       "not run");
  }
}

TEST_CASE("plan_slots: an overrun (a run longer than the period) leaves one slot to catch up")
{
  // Every 15 minutes; the 00:00 run took 20 minutes, so the 00:15 firing found it running.
  const SlotTime now = at("2026-12-07 00:30:05");
  auto r = request({"*:0/15"}, CatchUp::all);
  CHECK(slots(plan_slots(r, now, done(r, "2026-12-07 00:00:00"))) ==
        Strings{"2026-12-07T00:15:00Z missed", "2026-12-07T00:30:00Z due"});
  r.catch_up = CatchUp::latest;
  CHECK(slots(plan_slots(r, now, done(r, "2026-12-07 00:00:00"))) ==
        Strings{"2026-12-07T00:30:00Z due"});
  r.catch_up = CatchUp::none;
  CHECK(slots(plan_slots(r, now, done(r, "2026-12-07 00:00:00"))) ==
        Strings{"2026-12-07T00:30:00Z due"});
}

TEST_CASE("plan_slots: a duplicate or early firing runs nothing")
{
  for (const auto catch_up : {CatchUp::all, CatchUp::latest, CatchUp::none}) {
    CAPTURE(static_cast<int>(catch_up));
    const auto r = request({"*-*-* 07:00"}, catch_up);
    // The same slot fires twice.
    auto plan = plan_slots(r, at("2026-12-07 07:00:30"), done(r, "2026-12-07 07:00:00"));
    CHECK(plan.slots.empty());
    CHECK_FALSE(plan.baseline);
    CHECK(plan.note == "nothing due: slots up to 2026-12-07T07:00:00Z are done");
    // The timer fires a moment before the slot (a clock stepped back).
    plan = plan_slots(r, at("2026-12-07 06:59:59.9"), done(r, "2026-12-06 07:00:00"));
    CHECK(plan.slots.empty());
    CHECK_FALSE(plan.baseline);
  }
}

TEST_CASE("plan_slots: first sight runs only a slot due now, never history")
{
  SUBCASE("a weekly task installed on a Wednesday does not run Monday's slot")
  {
    const auto r = request({"Mon *-*-* 08:00"}, CatchUp::all);
    const SlotTime now = at("2026-12-09 12:00:00");
    const auto plan = plan_slots(r, now, std::nullopt);
    CHECK(plan.slots.empty());
    REQUIRE(plan.baseline);
    CHECK(*plan.baseline == SlotState{"Mon *-*-* 08:00:00 UTC", now});
    CHECK(plan.note == "first run of this schedule: no slot is due now (the last was "
                       "2026-12-07T08:00:00Z); slots from now on will run");
  }
  SUBCASE("the first firing on time runs its slot; the baseline is just before it")
  {
    const auto r = request({"Mon *-*-* 08:00"}, CatchUp::all);
    const auto plan = plan_slots(r, at("2026-12-14 08:00:01"), std::nullopt);
    CHECK(slots(plan) == Strings{"2026-12-14T08:00:00Z due"});
    REQUIRE(plan.baseline);
    CHECK(utc(plan.baseline->done_through) == "2026-12-14T07:59:59.999999Z");
  }
  SUBCASE("a changed schedule (weekly to daily) does not run days of history")
  {
    const auto weekly = request({"Mon *-*-* 08:00"}, CatchUp::all);
    const auto daily = request({"*-*-* 08:00"}, CatchUp::all);
    const SlotState old = done(weekly, "2026-12-07 08:00:00");
    const auto plan = plan_slots(daily, at("2026-12-11 12:00:00"), old);
    CHECK(plan.slots.empty());
    REQUIRE(plan.baseline);
    CHECK(plan.baseline->schedule == "*-*-* 08:00:00 UTC");
    CHECK(plan.note.starts_with("schedule changed: no slot is due now"));
    // ... and on time, it runs the slot due now only.
    CHECK(slots(plan_slots(daily, at("2026-12-11 08:00:30"), old)) ==
          Strings{"2026-12-11T08:00:00Z due"});
  }
}

TEST_CASE("plan_slots: slots older than catch_up_window never run")
{
  auto r = request({"*-*-* 07:00"}, CatchUp::all);
  const SlotTime now = at("2026-12-21 07:00:10");
  const auto plan = plan_slots(r, now, done(r, "2026-12-01 07:00:00"));
  // now - 7d is Dec 14 07:00:10: Dec 14's slot is 10 s too old.
  REQUIRE(plan.slots.size() == 7);
  CHECK(utc(plan.slots.front().time) == "2026-12-15T07:00:00Z");
  CHECK(utc(plan.slots.back().time) == "2026-12-21T07:00:00Z");
  SUBCASE("latest: a newest slot older than the window does not run either")
  {
    r.catch_up = CatchUp::latest;
    r.window = std::chrono::hours(1);
    const auto late = plan_slots(r, at("2026-12-21 09:00:00"), done(r, "2026-12-20 07:00:00"));
    CHECK(late.slots.empty());
    CHECK(late.note == "slots up to 2026-12-21T07:00:00Z are older than catch_up_window (1h); "
                       "not run");
  }
}

TEST_CASE("plan_slots: a minutely task after a year away computes one window, capped")
{
  auto r = request({"minutely"}, CatchUp::all);
  r.max_slots = 5;
  const auto plan = plan_slots(r, at("2026-12-21 07:00:10"), done(r, "2025-12-21 07:00:00"));
  CHECK(slots(plan) == Strings{"2026-12-14T07:01:00Z missed", "2026-12-14T07:02:00Z missed",
                               "2026-12-14T07:03:00Z missed", "2026-12-14T07:04:00Z missed",
                               "2026-12-14T07:05:00Z missed"});
  CHECK(plan.capped);
  CHECK(plan.note == "5 slots due since 2025-12-21T07:00:00Z (the oldest 5; the rest at the next "
                     "run)");
  r.max_slots = k_max_slots_per_run;
  const auto full = plan_slots(r, at("2026-12-21 07:00:10"), done(r, "2025-12-21 07:00:00"));
  CHECK(full.slots.size() == k_max_slots_per_run);
  CHECK(full.capped);
}

TEST_CASE("plan_slots: equal elapses of a union are one slot")
{
  const auto r = request({"*-*-* 07:00", "Mon..Sun 07:00", "*-*-* 19:00"}, CatchUp::all);
  CHECK(slots(plan_slots(r, at("2026-12-08 19:00:00"), done(r, "2026-12-07 07:00:00"))) ==
        Strings{"2026-12-07T19:00:00Z missed", "2026-12-08T07:00:00Z missed",
                "2026-12-08T19:00:00Z due"});
}

TEST_CASE("plan_slots: DST days")
{
  SUBCASE("Europe/Berlin spring forward: 02:30 does not exist on 2026-03-29")
  {
    const auto r = request({"*-*-* 02:30 Europe/Berlin"}, CatchUp::all);
    CHECK(slots(plan_slots(r, at("2026-03-30 00:30:05"), done(r, "2026-03-28 01:30:00"))) ==
          Strings{"2026-03-30T00:30:00Z due"});
  }
  SUBCASE("Europe/Berlin fall back: 02:30 exists twice on 2026-10-25 and runs once")
  {
    const auto r = request({"*-*-* 02:30 Europe/Berlin"}, CatchUp::all);
    CHECK(slots(plan_slots(r, at("2026-10-26 01:30:05"), done(r, "2026-10-24 00:30:00"))) ==
          Strings{"2026-10-25T00:30:00Z missed", "2026-10-26T01:30:00Z due"});
  }
  SUBCASE("America/New_York spring forward: 02:30 does not exist on 2026-03-08")
  {
    const auto r = request({"*-*-* 02:30 America/New_York"}, CatchUp::all);
    CHECK(slots(plan_slots(r, at("2026-03-09 06:30:05"), done(r, "2026-03-07 07:30:00"))) ==
          Strings{"2026-03-09T06:30:00Z due"});
  }
  SUBCASE("America/New_York fall back: 01:30 exists twice on 2026-11-01 and runs once")
  {
    const auto r = request({"*-*-* 01:30 America/New_York"}, CatchUp::latest);
    CHECK(slots(plan_slots(r, at("2026-11-01 05:30:05"), done(r, "2026-10-31 05:30:00"))) ==
          Strings{"2026-11-01T05:30:00Z due"});
    const auto all = request({"*-*-* 01:30 America/New_York"}, CatchUp::all);
    CHECK(slots(plan_slots(all, at("2026-11-02 06:30:05"), done(all, "2026-10-31 05:30:00"))) ==
          Strings{"2026-11-01T05:30:00Z missed", "2026-11-02T06:30:00Z due"});
  }
}
