// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "run/result.hpp"

using namespace pt;

TEST_CASE("to_string(TaskResult): the TASK_RESULT words")
{
  CHECK(to_string(TaskResult::success) == "success");
  CHECK(to_string(TaskResult::failed) == "failed");
  CHECK(to_string(TaskResult::timeout) == "timeout");
  CHECK(to_string(TaskResult::killed) == "killed");
  CHECK(to_string(TaskResult::skipped) == "skipped");
  CHECK(to_string(TaskResult::error) == "error");
}

TEST_CASE("parse_task_result: every TaskResult round-trips through its word; nothing else parses")
{
  for (const auto result : {TaskResult::success, TaskResult::failed, TaskResult::timeout,
                            TaskResult::killed, TaskResult::skipped, TaskResult::error}) {
    CAPTURE(to_string(result));
    CHECK(parse_task_result(to_string(result)) == result);
  }
  for (const char* word : {"", "running", "unfinished", "Success", "success ", "timed out"}) {
    CAPTURE(word);
    CHECK_FALSE(parse_task_result(word));
  }
}
