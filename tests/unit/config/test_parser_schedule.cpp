// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "config/parser.hpp"
#include "config_text.hpp"

using namespace std::chrono_literals;
using pt::CatchUp;
using pt::test::error_of;
using pt::test::parsed;

namespace {

// A valid task named "x" followed by `extra` lines.
std::string task_x(std::string_view extra)
{
  return std::string("[[task]]\nname = \"x\"\ncommand = [\"/bin/true\"]\n").append(extra);
}

} // namespace

TEST_CASE("parse_config: a task without schedule keeps today's defaults")
{
  const auto task = parsed(task_x("")).tasks.at(0);
  CHECK(task.schedule.empty());
  CHECK(task.catch_up == CatchUp::latest);
  CHECK(task.catch_up_window == std::chrono::hours(24 * 7));
  CHECK(task.randomized_delay == 0s);
  CHECK_FALSE(task.accuracy.has_value());
}

TEST_CASE("parse_config: schedule and its keys")
{
  SUBCASE("one expression, normalized and in settings.timezone")
  {
    const auto config =
        parsed("[settings]\ntimezone = \"Europe/Berlin\"\n" + task_x("schedule = \"Mon 08:00\"\n"));
    const auto& task = config.tasks.at(0);
    REQUIRE(task.schedule.size() == 1);
    CHECK(task.schedule[0].text == "Mon 08:00");
    CHECK(pt::normalized(task.schedule[0].spec) == "Mon *-*-* 08:00:00");
    CHECK(task.schedule[0].spec.zone_kind == pt::CalendarZone::local);
    CHECK(task.schedule[0].spec.zone == "Europe/Berlin");
    CHECK(task.schedule[0].where.line == 6);
    CHECK(task.schedule[0].where.column == 13);
  }
  SUBCASE("an array is a union; each expression keeps its own zone")
  {
    const auto task =
        parsed(task_x("schedule = [\"daily\", \"*-*-* 12:00 America/New_York\"]\n")).tasks.at(0);
    REQUIRE(task.schedule.size() == 2);
    CHECK(pt::normalized(task.schedule[0].spec) == "*-*-* 00:00:00");
    CHECK(task.schedule[0].spec.zone == "UTC");
    CHECK(pt::normalized(task.schedule[1].spec) == "*-*-* 12:00:00 America/New_York");
  }
  SUBCASE("every key")
  {
    const auto task = parsed(task_x(R"(schedule = "*:0/15"
catch_up = "all"
catch_up_window = "2d"
randomized_delay = "2min"
accuracy = "10s"
)"))
                          .tasks.at(0);
    CHECK(task.catch_up == CatchUp::all);
    CHECK(task.catch_up_window == 48h);
    CHECK(task.randomized_delay == 2min);
    CHECK(task.accuracy == std::optional<pt::Duration>(10s));
  }
  SUBCASE("a SQL task may have a schedule too")
  {
    const auto config = parsed(R"(
[databases.main]
conninfo = "dbname=app"
[[task]]
name = "release"
sql = "SELECT 1"
schedule = "*-*-* 00:05:00 UTC"
)");
    CHECK(config.tasks.at(0).schedule.at(0).spec.zone_kind == pt::CalendarZone::utc);
  }
}

TEST_CASE("timer_accuracy: 1s for a schedule that fires more than hourly, else 1min")
{
  CHECK(pt::timer_accuracy(parsed(task_x("schedule = \"minutely\"\n")).tasks.at(0)) == 1s);
  CHECK(pt::timer_accuracy(parsed(task_x("schedule = \"*:0/15\"\n")).tasks.at(0)) == 1s);
  CHECK(pt::timer_accuracy(parsed(task_x("schedule = \"hourly\"\n")).tasks.at(0)) == 1min);
  CHECK(pt::timer_accuracy(parsed(task_x("schedule = [\"daily\", \"*:*:0/5\"]\n")).tasks.at(0)) ==
        1s);
  CHECK(pt::timer_accuracy(
            parsed(task_x("schedule = \"hourly\"\naccuracy = \"1h\"\n")).tasks.at(0)) == 1h);
}

TEST_CASE("schedules_never_firing: the expressions with no elapse after now")
{
  // 2026-12-04 12:00:00 UTC
  const pt::CalendarTime now{std::chrono::seconds(1796385600)};
  const auto task = parsed(task_x("schedule = [\"daily\", \"2020-01-01\", \"*-02-30\", "
                                  "\"2027-01-01\", \"2026-12-04 11:00\"]\n"))
                        .tasks.at(0);
  const auto never = pt::schedules_never_firing(task, now);
  REQUIRE(never.size() == 3);
  CHECK(never[0]->text == "2020-01-01");
  CHECK(never[1]->text == "*-02-30");
  CHECK(never[2]->text == "2026-12-04 11:00"); // an hour ago: the last of it is gone
  CHECK(never[0]->where.column == 23);         // the 2 of 2020, inside the quotes
  CHECK(pt::schedules_never_firing(parsed(task_x("")).tasks.at(0), now).empty());
}

TEST_CASE("parse_config: bad schedules point into the expression")
{
  CHECK(error_of(task_x("schedule = \"Mon *-*-* 25:00\"\n")) ==
        R"(cfg.toml:4:23: invalid schedule "Mon *-*-* 25:00" in task "x": hour 25 is out of )"
        R"(range 0..23; hours are 0..23)");
  CHECK(error_of(task_x("schedule = [\"daily\", \"Mars/Olympus 08:00\"]\n"))
            .starts_with(R"(cfg.toml:4:23: invalid schedule "Mars/Olympus 08:00" in task "x": )"));
  CHECK(error_of(task_x("schedule = \"*-*-* 08:00 Mars/Olympus\"\n"))
            .starts_with(R"(cfg.toml:4:25: invalid schedule "*-*-* 08:00 Mars/Olympus" in task )"
                         R"("x": )"));
  CHECK(error_of(task_x("schedule = []\n")) ==
        R"(cfg.toml:4:12: "schedule" in task "x" is an empty array; give at least one calendar )"
        R"(expression, or remove "schedule" to run the task on periodic-tasks.timer with the )"
        R"(unscheduled tasks)");
  CHECK(error_of(task_x("schedule = 5\n")) ==
        R"(cfg.toml:4:12: "schedule" in task "x" must be a calendar expression (string) or an )"
        R"(array of them, not an integer; e.g. schedule = "Mon *-*-* 08:00:00" or ["daily", )"
        R"("*-*-* 12:00"])");
  CHECK(error_of(task_x("schedule = [\"daily\", 5]\n")) ==
        R"(cfg.toml:4:22: element 2 of "schedule" in task "x" must be a string, not an integer)");
  SUBCASE("an abbreviation of settings.timezone: systemd reads it in the host's zone")
  {
    CHECK(error_of("[settings]\ntimezone = \"Europe/Berlin\"\n" +
                   task_x("schedule = \"08:00 CET\"\n")) ==
          R"(cfg.toml:6:19: "CET" in the schedule of task "x" is an abbreviation of )"
          R"(settings.timezone (Europe/Berlin), which systemd would read in the host's local )"
          R"(zone; write the zone's name instead, e.g. "Europe/Berlin")");
  }
}

TEST_CASE("parse_config: bad values of the schedule keys")
{
  const std::string scheduled = "schedule = \"daily\"\n";
  CHECK(error_of(task_x(scheduled + "catch_up = \"some\"\n")) ==
        R"(cfg.toml:5:12: "catch_up" in task "x" must be "all", "latest" or "none", not "some"; )"
        R"(all: every missed slot in catch_up_window, oldest first; latest: only the newest )"
        R"(missed slot; none: only a slot that is due now)");
  CHECK(error_of(task_x(scheduled + "catch_up_window = \"infinity\"\n")) ==
        R"(cfg.toml:5:19: "catch_up_window" in task "x" must be a finite time span, not )"
        R"("infinity"; a task would catch up on every slot since 1970; use a span such as "7d")");
  CHECK(error_of(task_x(scheduled + "catch_up_window = \"0\"\n")) ==
        R"(cfg.toml:5:19: "catch_up_window" in task "x" must be longer than 0; to run no missed )"
        R"(slot at all, write catch_up = "none")");
  CHECK(error_of(task_x(scheduled + "randomized_delay = \"2 mins\"\n"))
            .starts_with(R"(cfg.toml:5:20: bad duration "2 mins" for "randomized_delay")"));
  CHECK(error_of(task_x(scheduled + "accuracy = \"0\"\n")) ==
        R"(cfg.toml:5:12: "accuracy" in task "x" must be longer than 0; the finest systemd )"
        R"(offers is "1us"; "1s" is the default for frequent tasks)");
  SUBCASE("the schedule keys need a schedule")
  {
    for (const char* line : {"catch_up = \"all\"\n", "catch_up_window = \"1d\"\n",
                             "randomized_delay = \"1min\"\n", "accuracy = \"1s\"\n"}) {
      const std::string key = std::string(line).substr(0, std::string(line).find(' '));
      CAPTURE(key);
      CHECK(error_of(task_x(line)) ==
            "cfg.toml:4:" + std::to_string(key.size() + 4) + ": \"" + key +
                R"(" in task "x" is for a task with a "schedule", and it has none; add a )"
                R"(schedule such as schedule = "daily" (systemd's calendar syntax), or remove ")" +
                key + "\"");
    }
  }
}
