// SPDX-License-Identifier: MIT
#include <csignal>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "run/runner.hpp"

using namespace pt;
using namespace pt::test;

namespace {

Task make_task(const std::string& name, const std::string& program)
{
  Task task;
  task.name = name;
  task.command = {program, "--flag"};
  task.timeout = std::chrono::seconds(5);
  task.kill_timeout = std::chrono::seconds(1);
  return task;
}

ProcessResult exited(int status)
{
  ProcessResult r;
  r.kind = ExitKind::exited;
  r.exit_status = status;
  r.duration = std::chrono::milliseconds(1500);
  return r;
}

} // namespace

TEST_CASE("run_tasks: a failing task does not stop the next one")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  const Task b = make_task("b", "/bin/b");
  f.processes.scripts["/bin/a"] = {exited(3), {}, {}};
  f.processes.scripts["/bin/b"] = {exited(0), {}, {}};

  const RunSummary summary = f.run({&a, &b});

  REQUIRE(summary.tasks.size() == 2);
  CHECK(summary.tasks[0].result == TaskResult::failed);
  CHECK(summary.tasks[0].exit_status == 3);
  CHECK(summary.tasks[0].detail == "failed: exit status 3");
  CHECK(summary.tasks[1].result == TaskResult::success);
  CHECK(exit_code_for(summary) == 1);
  CHECK(f.processes.specs.size() == 2);
}

TEST_CASE("run_tasks: each outcome carries the wall-clock time its task started")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  const Task b = make_task("b", "/bin/b");
  f.processes.scripts["/bin/a"] = {
      exited(0), {}, [&] { f.clock.wall_time += std::chrono::seconds(90); }};
  f.processes.scripts["/bin/b"] = {exited(0), {}, {}};

  const RunSummary summary = f.run({&a, &b});

  REQUIRE(summary.tasks.size() == 2);
  CHECK(summary.started_at_usec == 1'700'000'000'000'000);
  CHECK(summary.tasks[0].started_at_usec == 1'700'000'000'000'000);
  CHECK(summary.tasks[1].started_at_usec == 1'700'000'090'000'000);
}

TEST_CASE("run_tasks: outcomes map to TASK_RESULT words and journal fields")
{
  RunnerFixture f;
  const Task t = make_task("t", "/bin/t");
  ProcessResult result;

  SUBCASE("success exit code from success_exit_codes")
  {
    Task custom = t;
    custom.success_exit_codes = {0, 2};
    f.processes.scripts["/bin/t"] = {exited(2), {}, {}};
    const auto summary = f.run({&custom});
    CHECK(summary.tasks[0].result == TaskResult::success);
    const auto records = f.log.with_id(message_id::task_succeeded);
    REQUIRE(records.size() == 1);
    CHECK(records[0].field("TASK_RESULT") == "success");
    CHECK(records[0].field("EXIT_STATUS") == "2");
    CHECK(records[0].field("DURATION_USEC") == "1500000");
    CHECK(records[0].message == "task \"t\" succeeded in 1.500s");
  }
  SUBCASE("crash by signal")
  {
    result.kind = ExitKind::signaled;
    result.signal = SIGSEGV;
    result.core_dumped = true;
    f.processes.scripts["/bin/t"] = {result, {}, {}};
    const auto summary = f.run({&t});
    CHECK(summary.tasks[0].result == TaskResult::killed);
    const auto records = f.log.with_id(message_id::task_killed);
    REQUIRE(records.size() == 1);
    CHECK(records[0].message == "task \"t\" killed by signal SIGSEGV (core dumped)");
    CHECK(records[0].field("SIGNAL") == "SIGSEGV");
    CHECK(records[0].field("CORE_DUMPED") == "1");
    CHECK(records[0].priority == Priority::err);
    CHECK(exit_code_for(summary) == 1);
  }
  SUBCASE("timeout")
  {
    result.kind = ExitKind::timed_out;
    result.signal = SIGKILL;
    result.escalated_to_kill = true;
    f.processes.scripts["/bin/t"] = {result, {}, {}};
    const auto summary = f.run({&t});
    CHECK(summary.tasks[0].result == TaskResult::timeout);
    const auto records = f.log.with_id(message_id::task_timed_out);
    REQUIRE(records.size() == 1);
    CHECK(records[0].message ==
          "task \"t\" timed out after 5s (still running after SIGTERM, killed after 1s)");
  }
  SUBCASE("start failure")
  {
    result.kind = ExitKind::start_failed;
    result.error = "cannot execute /bin/t: No such file or directory";
    f.processes.scripts["/bin/t"] = {result, {}, {}};
    const auto summary = f.run({&t});
    CHECK(summary.tasks[0].result == TaskResult::error);
    const auto records = f.log.with_id(message_id::task_error);
    REQUIRE(records.size() == 1);
    CHECK(records[0].message ==
          "task \"t\" could not start: cannot execute /bin/t: No such file or directory");
    CHECK(records[0].field("TASK_ERROR") == "cannot execute /bin/t: No such file or directory");
    CHECK(records[0].field("EXIT_STATUS").empty());
  }
}

TEST_CASE("run_tasks: a task whose lock is held is skipped with the holder's pid")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  const Task b = make_task("b", "/bin/b");
  f.locks.failures["a"] = LockFailure{LockFailure::Kind::held, 4242, {}};

  const auto summary = f.run({&a, &b});

  CHECK(summary.tasks[0].result == TaskResult::skipped);
  CHECK(summary.tasks[0].skip_reason == SkipReason::locked);
  CHECK(summary.tasks[0].detail == "already running (pid 4242)");
  CHECK(summary.tasks[1].result == TaskResult::success);
  CHECK(f.processes.specs.size() == 1);
  CHECK(exit_code_for(summary) == 0);
  const auto skipped = f.log.with_id(message_id::task_skipped);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].field("HOLDER_PID") == "4242");
  CHECK(skipped[0].field("SKIP_REASON") == "locked");
}

TEST_CASE("exit_code_for: 75 only when every selected task was skipped for a lock")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  f.locks.failures["a"] = LockFailure{LockFailure::Kind::held, 1, {}};
  CHECK(exit_code_for(f.run({&a})) == 75);
  CHECK(exit_code_for(f.run({})) == 0);
}

TEST_CASE("run_tasks: dry run")
{
  RunnerFixture f;
  Task with_args = make_task("with", "/bin/with");
  with_args.dry_run_args = std::vector<std::string>{"--dry-run"};
  const Task without = make_task("without", "/bin/without");

  const auto summary = f.run({&with_args, &without}, true);

  REQUIRE(f.processes.specs.size() == 1);
  CHECK(f.processes.specs[0].argv == std::vector<std::string>{"/bin/with", "--flag", "--dry-run"});
  CHECK(summary.tasks[1].result == TaskResult::skipped);
  CHECK(summary.tasks[1].skip_reason == SkipReason::dry_run);
  CHECK(summary.tasks[1].detail ==
        "dry run, and the task has no dry_run_args; would run: /bin/without --flag");
  CHECK(exit_code_for(summary) == 0);
}

TEST_CASE("run_tasks: a stop request runs nothing more and names what did not run")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  const Task b = make_task("b", "/bin/b");
  const Task c = make_task("c", "/bin/c");
  ProcessResult stopped;
  stopped.kind = ExitKind::interrupted;
  stopped.signal = SIGTERM;
  f.processes.scripts["/bin/a"] = {stopped, {}, [&] { f.stop.signal = SIGTERM; }};

  const auto summary = f.run({&a, &b, &c});

  CHECK(f.processes.specs.size() == 1);
  CHECK(summary.tasks[0].result == TaskResult::killed);
  CHECK(summary.tasks[1].skip_reason == SkipReason::interrupted);
  CHECK(summary.tasks[2].skip_reason == SkipReason::interrupted);
  CHECK(exit_code_for(summary) == 143);
  const auto end = f.log.with_id(message_id::run_interrupted);
  REQUIRE(end.size() == 1);
  CHECK(end[0].field("NOT_RUN") == "b c");
  CHECK(end[0].message == "run interrupted by SIGTERM: 1 killed, 2 skipped; not run: b, c");

  f.stop.signal = SIGINT;
  CHECK(exit_code_for(f.run({&a})) == 130);
}

TEST_CASE("run_tasks: every task record carries the run context")
{
  RunnerFixture f;
  const Task a = make_task("a", "/bin/a");
  f.processes.scripts["/bin/a"] = {
      exited(0), {{Stream::out, "hello"}, {Stream::err, "careful"}}, {}};

  f.run({&a});

  for (const auto& record : f.log.records) {
    CHECK(record.field("RUN_ID") == "0123456789abcdef0123456789abcdef");
    CHECK(record.field("AS_OF") == "2025-01-27");
    CHECK(record.field("DRY_RUN") == "0");
  }
  const auto output = f.log.with_id(message_id::task_output);
  REQUIRE(output.size() == 2);
  CHECK(output[0].field("TASK") == "a");
  CHECK(output[0].field("STREAM") == "stdout");
  CHECK(output[1].priority == Priority::warning);
  const auto start = f.log.with_id(message_id::task_started);
  REQUIRE(start.size() == 1);
  CHECK(start[0].message == "task \"a\" started (1/1): /bin/a --flag");
}

TEST_CASE("run_tasks: the spec carries the clean environment and the task's limits")
{
  RunnerFixture f;
  Task a = make_task("a", "/bin/a");
  a.environment = {{"APP_ENV", "production"}};
  a.working_directory = "/srv";
  f.run({&a});
  REQUIRE(f.processes.specs.size() == 1);
  const auto& spec = f.processes.specs[0];
  CHECK(spec.working_directory == "/srv");
  CHECK(spec.timeout == std::chrono::seconds(5));
  CHECK(spec.kill_timeout == std::chrono::seconds(1));
  CHECK(spec.env ==
        std::vector<std::string>{
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
            "HOME=/home/ops", "USER=ops", "LOGNAME=ops", "APP_ENV=production",
            "PERIODIC_TASKS_TASK=a", "PERIODIC_TASKS_RUN_ID=0123456789abcdef0123456789abcdef",
            "PERIODIC_TASKS_AS_OF=2025-01-27", "PERIODIC_TASKS_DRY_RUN=0", "PERIODIC_TASKS_SLOT="});
}
