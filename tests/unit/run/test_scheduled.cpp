// SPDX-License-Identifier: MIT
#include <csignal>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "fakes.hpp"
#include "journal/fields.hpp"
#include "run/cluster_claims.hpp"
#include "run/scheduled.hpp"
#include "schedule/timestamp.hpp"

using namespace pt;
using namespace pt::test;
using namespace std::chrono_literals;

namespace {

SlotTime at(const char* text)
{
  return parse_timestamp(text, "UTC").value();
}

Task scheduled_task(const char* expression, CatchUp catch_up = CatchUp::all)
{
  Task task;
  task.name = "report";
  task.command = {"/bin/report"};
  task.timeout = 5s;
  task.schedule.push_back({expression, {}, parse_calendar(expression, "UTC").value()});
  task.catch_up = catch_up;
  return task;
}

ProcessResult exited(int status)
{
  ProcessResult r;
  r.exit_status = status;
  return r;
}

// Plans and runs `task`'s slots at `now` with the state in `store`.
ScheduledRuns run_at(RunnerFixture& f, FakeSlotStore& store, const Task& task, SlotTime now)
{
  const SlotPlan plan = plan_slots(slot_request(task), now, store.load(task.name).value());
  int next_id = 0;
  return run_slots(f.settings, task, plan, store, f.deps, {"1765090800123456", "99"},
                   [&] { return fmt::format("{:032x}", ++next_id); });
}

std::string env_value(const ProcessSpec& spec, const std::string& name)
{
  for (const auto& entry : spec.env) {
    if (entry.starts_with(name + "=")) {
      return entry.substr(name.size() + 1);
    }
  }
  return "<unset>";
}

} // namespace

TEST_CASE("due_tolerance: accuracy + randomized_delay + a minute for the start")
{
  Task task = scheduled_task("*-*-* 07:00");
  CHECK(due_tolerance(task) == 2min); // 1min: AccuracySec= of a daily schedule
  task.randomized_delay = 5min;
  task.accuracy = 1s;
  CHECK(due_tolerance(task) == 6min + 1s);
  CHECK(due_tolerance(scheduled_task("*:0/15")) == 1min + 1s);
}

TEST_CASE("slot_context: the slot in UTC, as_of the slot's date in the schedule's zone")
{
  const Task berlin = scheduled_task("*-*-* 00:30 Europe/Berlin");
  const RunContext context = slot_context(berlin, at("2026-12-06 23:30:00"), "id");
  CHECK(context.slot == "2026-12-06T23:30:00Z");
  CHECK(context.as_of == "2026-12-07");
  CHECK(context.run_id == "id");
  CHECK(slot_context(scheduled_task("*-*-* 00:30"), at("2026-12-06 00:30:00.25"), "id").slot ==
        "2026-12-06T00:30:00.250000Z");
}

TEST_CASE("run_slots: each slot is a run of its own, oldest first, marked done after it")
{
  RunnerFixture f;
  FakeSlotStore store;
  const Task task = scheduled_task("*-*-* 07:00");
  store.states["report"] = {"*-*-* 07:00:00 UTC", at("2026-12-04 07:00:00")};
  f.processes.scripts["/bin/report"] = {exited(0), {}, {}};
  const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
  REQUIRE(ran.runs.size() == 3);
  CHECK(ran.state_error.empty());
  CHECK(exit_code_for(ran.runs) == 0);
  REQUIRE(store.saves.size() == 3);
  CHECK(format_utc_timestamp(store.saves[0].second.done_through) == "2026-12-05T07:00:00Z");
  CHECK(format_utc_timestamp(store.saves[2].second.done_through) == "2026-12-07T07:00:00Z");
  // Environment: the slot and its date.
  REQUIRE(f.processes.specs.size() == 3);
  CHECK(env_value(f.processes.specs[0], "PERIODIC_TASKS_SLOT") == "2026-12-05T07:00:00Z");
  CHECK(env_value(f.processes.specs[0], "PERIODIC_TASKS_AS_OF") == "2026-12-05");
  CHECK(env_value(f.processes.specs[0], "PERIODIC_TASKS_RUN_ID") ==
        "00000000000000000000000000000001");
  CHECK(env_value(f.processes.specs[2], "PERIODIC_TASKS_SLOT") == "2026-12-07T07:00:00Z");
  // Records: SLOT, SCHEDULE and TRIGGER on the task's records; the timer's own fields as given.
  const auto started = f.log.with_id(message_id::task_started);
  REQUIRE(started.size() == 3);
  CHECK(started[0].field(field::slot) == "2026-12-05T07:00:00Z");
  CHECK(started[0].field(field::schedule) == "*-*-* 07:00:00 UTC");
  CHECK(started[0].field(field::trigger) == "catch-up");
  CHECK(started[2].field(field::trigger) == "timer");
  const auto runs = f.log.with_id(message_id::run_started);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].message == "run started: 1 task, as of 2026-12-05, catch-up of slot "
                           "2026-12-05T07:00:00Z");
  CHECK(runs[2].message == "run started: 1 task, as of 2026-12-07, slot 2026-12-07T07:00:00Z");
  CHECK(runs[0].field(field::timer_realtime_usec) == "1765090800123456");
  CHECK(runs[0].field(field::timer_monotonic_usec) == "99");
  CHECK(f.log.with_id(message_id::task_succeeded)[1].field(field::slot) == "2026-12-06T07:00:00Z");
}

TEST_CASE("run_slots: a failed slot counts as done and the next one still runs; exit 1")
{
  RunnerFixture f;
  FakeSlotStore store;
  const Task task = scheduled_task("*-*-* 07:00");
  store.states["report"] = {"*-*-* 07:00:00 UTC", at("2026-12-05 07:00:00")};
  f.processes.scripts["/bin/report"] = {exited(3), {}, {}};
  const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
  CHECK(ran.runs.size() == 2);
  CHECK(store.saves.size() == 2);
  CHECK(exit_code_for(ran.runs) == k_exit_task_failed);
}

TEST_CASE("run_slots: a slot skipped for the lock or stopped by a signal is not done")
{
  RunnerFixture f;
  FakeSlotStore store;
  const Task task = scheduled_task("*-*-* 07:00");
  store.states["report"] = {"*-*-* 07:00:00 UTC", at("2026-12-05 07:00:00")};
  SUBCASE("the lock is held: nothing more runs, exit 75")
  {
    f.locks.failures["report"] = LockFailure{LockFailure::Kind::held, 4711, {}};
    const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
    CHECK(ran.runs.size() == 1);
    CHECK(store.saves.empty());
    CHECK(exit_code_for(ran.runs) == k_exit_busy);
  }
  SUBCASE("SIGTERM during the first slot: it stays to run, exit 143")
  {
    ProcessResult killed;
    killed.kind = ExitKind::interrupted;
    killed.signal = SIGTERM;
    f.processes.scripts["/bin/report"] = {killed, {}, [&] { f.stop.signal = SIGTERM; }};
    const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
    CHECK(ran.runs.size() == 1);
    CHECK(store.saves.empty());
    CHECK(exit_code_for(ran.runs) == 143);
  }
}

TEST_CASE("run_slots: a slot the cluster holds for another run stops the run; one done goes on")
{
  // The state is done through a slot: going on past a slot another host
  // holds would mark a later slot done, and this host would never ask for
  // the held one again; if every host did so, nobody would run it.
  RunnerFixture f;
  FakeSlotStore store;
  Task task = scheduled_task("*-*-* 07:00");
  task.exclusive = Exclusive::cluster;
  task.kill_timeout = 1s;
  store.states["report"] = {"*-*-* 07:00:00 UTC", at("2026-12-04 07:00:00")};
  f.processes.scripts["/bin/report"] = {exited(0), {}, {}};
  const ClaimHolder other{"db-2", "boot-2", 7, "fedcba98"};
  std::vector<ClaimOutcome> answers;
  ClusterSettings settings;
  settings.database = "main";
  ClusterClaims claims(
      settings,
      [&]() -> ClusterResult<std::unique_ptr<ClusterStore>> {
        auto owned = std::make_unique<FakeClusterStore>();
        owned->next_answers = answers;
        return std::unique_ptr<ClusterStore>(std::move(owned));
      },
      ClaimHolder{"db-1", "boot-1", 4711, {}});
  f.deps.cluster = &claims;
  SUBCASE("held: the first slot waits, nothing later runs or is marked done")
  {
    answers = {HeldBy{other, 1, std::nullopt, std::nullopt}};
    const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
    REQUIRE(ran.runs.size() == 1);
    CHECK(ran.runs[0].tasks[0].claim == ClaimState::held);
    CHECK(f.processes.specs.empty());
    CHECK(store.saves.empty());
    CHECK(exit_code_for(ran.runs) == 0);
  }
  SUBCASE("done elsewhere: counted done here, and the later slots are claimed and run")
  {
    answers = {Done{other, "success", 1, false}};
    const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
    REQUIRE(ran.runs.size() == 3);
    CHECK(ran.runs[0].tasks[0].claim == ClaimState::done);
    CHECK(f.processes.specs.size() == 2);
    CHECK(store.saves.size() == 3);
    CHECK(exit_code_for(ran.runs) == 0);
  }
}

TEST_CASE("run_slots: a slot that cannot be marked done stops the run and says so")
{
  RunnerFixture f;
  FakeSlotStore store;
  const Task task = scheduled_task("*-*-* 07:00");
  store.states["report"] = {"*-*-* 07:00:00 UTC", at("2026-12-05 07:00:00")};
  store.fail_saves = true;
  f.processes.scripts["/bin/report"] = {exited(0), {}, {}};
  const auto ran = run_at(f, store, task, at("2026-12-07 07:00:30"));
  CHECK(ran.runs.size() == 1);
  CHECK(ran.state_error == "disk full");
}

TEST_CASE("completes_slot: every end of the task but a skip; not when we were stopped")
{
  RunSummary summary;
  summary.tasks.resize(1);
  for (const auto result : {TaskResult::success, TaskResult::failed, TaskResult::timeout,
                            TaskResult::killed, TaskResult::error}) {
    summary.tasks[0].result = result;
    CHECK(completes_slot(summary));
  }
  summary.tasks[0].result = TaskResult::skipped;
  CHECK_FALSE(completes_slot(summary));
  summary.interrupted_by = SIGTERM;
  summary.tasks[0].result = TaskResult::killed;
  CHECK_FALSE(completes_slot(summary));
  summary.tasks[0].result = TaskResult::success;
  CHECK(completes_slot(summary)); // it ended before the signal came
}
