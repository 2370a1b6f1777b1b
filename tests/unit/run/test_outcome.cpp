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
