// SPDX-License-Identifier: MIT
#include <csignal>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "run/outcome.hpp"

using namespace pt;
using namespace std::chrono_literals;

TEST_CASE("outcome_from_process: a timeout says how long SIGKILL waited, with a unit")
{
  test::RecordingLog log;
  const OutputCapture capture(log, {}, 0);
  Task task;
  task.timeout = 5s;
  ProcessResult result;
  result.kind = ExitKind::timed_out;
  result.signal = SIGKILL;
  result.escalated_to_kill = true;
  SUBCASE("after a grace period")
  {
    task.kill_timeout = 1500ms;
    CHECK(outcome_from_process(result, task, capture).detail ==
          "timed out after 5s (still running after SIGTERM, killed after 1.500s)");
  }
  SUBCASE("with no grace period")
  {
    task.kill_timeout = 0s;
    CHECK(outcome_from_process(result, task, capture).detail ==
          "timed out after 5s (still running after SIGTERM, killed at once: kill_timeout is 0)");
  }
}

TEST_CASE("outcome_from_process: a command the fence stopped is fenced as data, not by its text")
{
  test::RecordingLog log;
  const OutputCapture capture(log, {}, 0);
  Task task;
  ProcessResult result;
  result.signal = SIGTERM;
  result.kind = ExitKind::fenced;
  const TaskOutcome fenced = outcome_from_process(result, task, capture);
  CHECK(fenced.result == TaskResult::killed);
  CHECK(fenced.claim == ClaimState::fenced);
  CHECK(fenced.detail == "fenced: stopped, this host no longer holds the task's cluster claim");
  result.kind = ExitKind::interrupted; // a stop signal to the runner is not a fence
  CHECK(outcome_from_process(result, task, capture).claim == ClaimState::none);
}
