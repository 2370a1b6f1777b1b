// SPDX-License-Identifier: MIT
#include <cstdlib>
#include <ctime>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "app/report.hpp"
#include "test_support.hpp"

using namespace pt;

namespace {

constexpr std::int64_t k_t0 = 1'737'945'004'000'000; // 2025-01-27 02:30:04 UTC

TaskRun failed_run()
{
  TaskRun run;
  run.record.task = "vacuum";
  run.record.run_id = "0123abcd";
  run.record.as_of = "2025-01-27";
  run.record.trigger = "timer";
  run.record.kind = "sql";
  run.result.ended = TaskResult::failed;
  run.record.sqlstate = "23505";
  run.started_usec = k_t0;
  run.finished_usec = k_t0 + 1'500'000;
  run.record.duration_usec = 1'500'000;
  run.record.attempts = 3;
  run.record.position = "2/3";
  return run;
}

} // namespace

TEST_CASE("format_local_time and format_iso8601 follow TZ")
{
  const test::ScopedEnv tz("TZ", "Europe/Berlin");
  CHECK(format_local_time(k_t0) == "2025-01-27 03:30:04");
  CHECK(format_iso8601(k_t0) == "2025-01-27T03:30:04+01:00");
}

TEST_CASE("render_status_text: a row per task, never-run tasks and running ones")
{
  const test::ScopedEnv tz("TZ", "UTC");
  TaskStatus failing;
  failing.task = "vacuum";
  failing.last = failed_run();
  failing.last_success_usec = k_t0 - 86'400'000'000LL;
  failing.consecutive_failures = 2;
  TaskStatus never;
  never.task = "report";
  never.lock = {true, 99};
  TaskRun running;
  running.started_usec = k_t0 + 60'000'000;
  running.record.position = "3/3";
  never.running = running;
  TaskStatus disabled;
  disabled.task = "off";
  disabled.enabled = false;
  const std::string expected =
      R"(TASK    LAST RUN             RESULT               DURATION  EXIT            LAST SUCCESS         FAILURES  NOW                                              NEXT  CATCH-UP
vacuum  2025-01-27 02:30:04  failed (3 attempts)  1.500s    SQLSTATE 23505  2025-01-26 02:30:04  2         -                                                -     -
report  never run            -                    -         -               -                    -         running since 2025-01-27 02:31:04 (pid 99, 3/3)  -     -
off     never run            -                    -         -               -                    -         disabled                                         -     -
)";
  CHECK(render_status_text({failing, never, disabled}) == expected);
}

namespace {

// The cluster's view of three tasks: one done and claimed now, one whose lock
// a run without a slot holds, one the cluster has never run.
ClusterView three_cluster_tasks()
{
  TaskClusterStatus ledger;
  ledger.task = "ledger";
  ledger.last_done = FinishedSlot{k_t0, "db-1", "success", k_t0 + 2'000'000};
  ledger.running =
      RunningClaim{k_t0 + 86'400'000'000LL, ClaimHolder{"db-2", "boot-2", 77, "fedcba98"}, 2,
                   k_t0 + 86'400'000'000LL + 120'000'000};
  TaskClusterStatus report;
  report.task = "report";
  report.lock_session = "periodic_tasks pid 4242 on db-3 (backend 5151 from 10.0.0.3)";
  TaskClusterStatus idle;
  idle.task = "idle";
  return ClusterView{"main", "", {ledger, report, idle}};
}

} // namespace

TEST_CASE("render_status_text: the cluster's table, with a run without a slot named by its session")
{
  const test::ScopedEnv tz("TZ", "UTC");
  const ClusterView cluster = three_cluster_tasks();
  const std::string text = render_status_text({}, &cluster);
  const std::string expected =
      R"(
Cluster (database "main"):
TASK    LAST SLOT            RAN ON  RESULT   FINISHED             RUNNING NOW
ledger  2025-01-27 02:30:04  db-1    success  2025-01-27 02:30:06  db-2 pid 77 slot 2025-01-28 02:30:04, attempt 2, lease until 2025-01-28 02:32:04
report  -                    -       -        -                    without a slot: periodic_tasks pid 4242 on db-3 (backend 5151 from 10.0.0.3)
idle    -                    -       -        -                    -
)";
  CHECK(text.ends_with(expected));
}

TEST_CASE(
    "render_status_json: the cluster's running claim, and the session of a run without a slot")
{
  const test::ScopedEnv tz("TZ", "UTC");
  const ClusterView cluster = three_cluster_tasks();
  const auto j = nlohmann::json::parse(render_status_json({}, &cluster));
  const auto& tasks = j["cluster"]["tasks"];
  REQUIRE(tasks.size() == 3);
  CHECK(tasks[0]["running"]["host"] == "db-2");
  CHECK(tasks[0]["running"]["attempt"] == 2);
  CHECK(tasks[0]["lock_session"].is_null());
  CHECK(tasks[1]["running"].is_null());
  CHECK(tasks[1]["lock_session"] == "periodic_tasks pid 4242 on db-3 (backend 5151 from 10.0.0.3)");
  CHECK(tasks[2]["running"].is_null());
  CHECK(tasks[2]["lock_session"].is_null());
  CHECK(j["cluster"]["database"] == "main");
}

TEST_CASE("render_status_json: nulls for what is not known")
{
  const test::ScopedEnv tz("TZ", "UTC");
  TaskStatus never;
  never.task = "report";
  TaskStatus failing;
  failing.task = "vacuum";
  failing.last = failed_run();
  failing.consecutive_failures = 1;
  const auto j = nlohmann::json::parse(render_status_json({never, failing}));
  CHECK(j["tasks"][0]["task"] == "report");
  CHECK(j["tasks"][0]["last_run"].is_null());
  CHECK(j["tasks"][0]["last_success"].is_null());
  CHECK(j["tasks"][0]["running"] == false);
  CHECK(j["tasks"][0]["running_pid"].is_null());
  const auto& last = j["tasks"][1]["last_run"];
  CHECK(last["result"] == "failed");
  CHECK(last["sqlstate"] == "23505");
  CHECK(last["exit_status"].is_null());
  CHECK(last["started"] == "2025-01-27T02:30:04+00:00");
  CHECK(last["started_usec"] == k_t0);
  CHECK(last["duration_usec"] == 1'500'000);
  CHECK(last["attempts"] == 3);
  CHECK(last["position"] == "2/3");
  CHECK(j["tasks"][1]["consecutive_failures"] == 1);
}

TEST_CASE("render_status: a scheduled task's next elapse and the slots catch-up will run")
{
  const test::ScopedEnv tz("TZ", "UTC");
  TaskStatus behind;
  behind.task = "daily";
  behind.schedule = "*-*-* 02:30:00 UTC";
  behind.next_usec = k_t0 + 86'400'000'000LL;
  behind.catch_up_usec = {k_t0 - 86'400'000'000LL, k_t0};
  TaskStatus unreadable;
  unreadable.task = "weekly";
  unreadable.schedule = "Mon *-*-* 02:30:00 UTC";
  unreadable.slot_error = "cannot open slot file /x: Permission denied";
  const std::string text = render_status_text({behind, unreadable});
  CHECK(text.find("  2025-01-28 02:30:04  2 since 2025-01-26 02:30:04\n") != std::string::npos);
  CHECK(text.find("  -                    ?\n") != std::string::npos);
  const auto j = nlohmann::json::parse(render_status_json({behind, unreadable}));
  CHECK(j["tasks"][0]["schedule"] == "*-*-* 02:30:00 UTC");
  CHECK(j["tasks"][0]["next"] == "2025-01-28T02:30:04Z");
  CHECK(j["tasks"][0]["catch_up"] ==
        nlohmann::json::array({"2025-01-26T02:30:04Z", "2025-01-27T02:30:04Z"}));
  CHECK(j["tasks"][0]["slot_error"].is_null());
  CHECK(j["tasks"][1]["next"].is_null());
  CHECK(j["tasks"][1]["catch_up"] == nlohmann::json::array());
  CHECK(j["tasks"][1]["slot_error"] == "cannot open slot file /x: Permission denied");
}

TEST_CASE("render_history_text and _json: one row per run, dry runs marked")
{
  const test::ScopedEnv tz("TZ", "UTC");
  TaskRun dry;
  dry.record.task = "cleanup";
  dry.record.run_id = "ffff";
  dry.record.as_of = "2025-01-26";
  dry.record.dry_run = true;
  dry.record.trigger = "manual";
  dry.result.ended = TaskResult::success;
  dry.record.exit_status = "0";
  dry.started_usec = k_t0 + 10'000'000;
  dry.finished_usec = k_t0 + 10'250'000;
  dry.record.duration_usec = 250'000;
  TaskRun running;
  running.record.task = "scan";
  running.record.run_id = "eeee";
  running.record.as_of = "2025-01-27";
  running.record.trigger = "timer";
  running.result.state = RunState::running;
  running.started_usec = k_t0 + 20'000'000;
  running.holder_pid = 7;
  const std::string expected =
      R"(STARTED              TASK     RESULT               DURATION  EXIT            AS OF                 TRIGGER  RUN ID
2025-01-27 02:30:24  scan     running              -         -               2025-01-27            timer    eeee
2025-01-27 02:30:14  cleanup  success              0.250s    exit 0          2025-01-26 (dry run)  manual   ffff
2025-01-27 02:30:04  vacuum   failed (3 attempts)  1.500s    SQLSTATE 23505  2025-01-27            timer    0123abcd
)";
  CHECK(render_history_text({running, dry, failed_run()}) == expected);
  const auto j = nlohmann::json::parse(render_history_json({running, dry}));
  REQUIRE(j["runs"].size() == 2);
  CHECK(j["runs"][0]["result"] == "running");
  CHECK(j["runs"][0]["pid"] == 7);
  CHECK(j["runs"][0]["finished"].is_null());
  CHECK(j["runs"][0]["duration_usec"].is_null());
  CHECK(j["runs"][1]["dry_run"] == true);
  CHECK(j["runs"][1]["exit_status"] == 0);
}

TEST_CASE("render_status_text, render_history_json: control characters escaped, JSON exact")
{
  const test::ScopedEnv tz("TZ", "UTC");
  TaskRun run = failed_run();
  run.record.task = "v\x1b[2J\nperiodic_tasks: task \"v\" succeeded\x7f";
  TaskStatus status;
  status.task = run.record.task;
  status.last = run;
  const std::string text = render_status_text({status});
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("v\\x1b[2J\\nperiodic_tasks: task \"v\" succeeded\\x7f  ") != std::string::npos);
  const std::string json = render_history_json({run});
  CHECK(json.find("\"v\\u001b[2J\\nperiodic_tasks: task \\\"v\\\" succeeded\\u007f\"") !=
        std::string::npos);
  CHECK(nlohmann::json::parse(json)["runs"][0]["task"] == run.record.task);
}
