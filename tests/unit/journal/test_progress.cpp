// SPDX-License-Identifier: MIT
#include <chrono>
#include <future>
#include <thread>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "journal/progress.hpp"

using namespace pt;
using namespace std::chrono_literals;
using pt::test::FakeClock;
using pt::test::FakeStatusSink;
using pt::test::RecordingLog;

namespace {

const MonotonicTime t0{std::chrono::hours(1)};

Record run_started(int tasks)
{
  return {Priority::info,
          "run started",
          message_id::run_started,
          {{"RUN_ID", "r1"}, {"TASK_COUNT", std::to_string(tasks)}}};
}

Record task_started(const std::string& task, const std::string& position)
{
  return {Priority::info,
          "task started",
          message_id::task_started,
          {{"TASK", task}, {"RUN_ID", "r1"}, {"TASK_POSITION", position}}};
}

Record task_finished(const std::string& task, std::string_view id, const std::string& result,
                     const std::string& skip_reason = "")
{
  Record record{Priority::info, "task finished", id, {{"TASK", task}, {"TASK_RESULT", result}}};
  if (!skip_reason.empty()) {
    record.fields.push_back({"SKIP_REASON", skip_reason});
  }
  return record;
}

Record task_retry(const std::string& task, int attempt, Duration wait)
{
  return {Priority::warning,
          "retrying",
          message_id::task_retry,
          {{"TASK", task},
           {"TASK_RESULT", "failed"},
           {"ATTEMPT", std::to_string(attempt)},
           {"RETRY_IN_USEC", std::to_string(wait.count())}}};
}

Record run_finished()
{
  return {Priority::info, "run finished", message_id::run_finished, {{"EXIT_STATUS", "1"}}};
}

Record run_interrupted()
{
  return {Priority::err,
          "run interrupted",
          message_id::run_interrupted,
          {{"SIGNAL", "SIGTERM"}, {"NOT_RUN", "c d"}}};
}

Record output_line(const std::string& task)
{
  return {
      Priority::info, "a line", message_id::task_output, {{"TASK", task}, {"STREAM", "stdout"}}};
}

} // namespace

TEST_CASE("format_elapsed: whole seconds the way systemd writes time spans")
{
  CHECK(format_elapsed(0s) == "0s");
  CHECK(format_elapsed(999ms) == "0s");
  CHECK(format_elapsed(41s + 900ms) == "41s");
  CHECK(format_elapsed(2min + 3s) == "2min 3s");
  CHECK(format_elapsed(1h + 2min + 3s) == "1h 2min 3s");
  CHECK(format_elapsed(-5s) == "0s");
}

TEST_CASE("RunProgress: no line before the run starts")
{
  RunProgress progress;
  CHECK(progress.line(t0).empty());
  CHECK_FALSE(progress.ticking());
  CHECK_FALSE(progress.apply(output_line("a"), t0));
}

TEST_CASE("RunProgress: the running task, its position and elapsed time")
{
  RunProgress progress;
  CHECK(progress.apply(run_started(7), t0));
  CHECK(progress.line(t0) == "Starting: 7 tasks");
  CHECK_FALSE(progress.ticking());
  CHECK(progress.apply(task_started("vacuum-events", "3/7"), t0));
  CHECK(progress.ticking());
  CHECK(progress.line(t0) == "Running 3/7: vacuum-events (0s)");
  CHECK(progress.line(t0 + 41s) == "Running 3/7: vacuum-events (41s)");
  CHECK(progress.line(t0 + 1h + 1s) == "Running 3/7: vacuum-events (1h 1s)");
  SUBCASE("output lines change nothing")
  {
    CHECK_FALSE(progress.apply(output_line("vacuum-events"), t0 + 5s));
    CHECK(progress.line(t0 + 5s) == "Running 3/7: vacuum-events (5s)");
  }
  SUBCASE("one task")
  {
    RunProgress one;
    one.apply(run_started(1), t0);
    CHECK(one.line(t0) == "Starting: 1 task");
  }
}

TEST_CASE("RunProgress: a retry counts down, then the next attempt runs")
{
  RunProgress progress;
  progress.apply(run_started(3), t0);
  progress.apply(task_started("flaky", "2/3"), t0);
  CHECK(progress.apply(task_retry("flaky", 1, 10s), t0 + 4s));
  CHECK(progress.ticking());
  CHECK(progress.line(t0 + 4s) == "Retrying 2/3: flaky (attempt 1 failed, attempt 2 in 10s)");
  CHECK(progress.line(t0 + 13s + 500ms) ==
        "Retrying 2/3: flaky (attempt 1 failed, attempt 2 in 1s)");
  // No record marks the next attempt's start: the wait's end does.
  CHECK(progress.line(t0 + 14s) == "Running 2/3: flaky (attempt 2, 14s)");
  CHECK(progress.line(t0 + 20s) == "Running 2/3: flaky (attempt 2, 20s)");
  CHECK(progress.apply(task_retry("flaky", 2, 20s), t0 + 20s));
  CHECK(progress.line(t0 + 20s) == "Retrying 2/3: flaky (attempt 2 failed, attempt 3 in 20s)");
}

TEST_CASE("RunProgress: the final line counts how the tasks ended")
{
  RunProgress progress;
  progress.apply(run_started(7), t0);
  const std::pair<std::string_view, std::string> ends[] = {
      {message_id::task_succeeded, "success"}, {message_id::task_succeeded, "success"},
      {message_id::task_failed, "failed"},     {message_id::task_timed_out, "timeout"},
      {message_id::task_killed, "killed"},     {message_id::task_error, "error"},
      {message_id::task_skipped, "skipped"},
  };
  int n = 0;
  for (const auto& [id, result] : ends) {
    const std::string name = "t" + std::to_string(++n);
    progress.apply(task_started(name, std::to_string(n) + "/7"), t0);
    // A finished task alone is not worth a message: the next line follows at once.
    CHECK_FALSE(progress.apply(task_finished(name, id, result), t0 + 1s));
    CHECK_FALSE(progress.ticking());
  }
  CHECK(progress.line(t0) == "Done 7/7: t7 (skipped)");
  CHECK(progress.apply(run_finished(), t0 + 2s));
  CHECK_FALSE(progress.ticking());
  CHECK(progress.line(t0 + 2s) == "Finished: 2 succeeded, 1 failed, 1 timed out, 1 killed, "
                                  "1 could not start, 1 skipped");
}

TEST_CASE("RunProgress: a task skipped without starting has no position")
{
  RunProgress progress;
  progress.apply(run_started(2), t0);
  progress.apply(task_started("a", "1/2"), t0);
  progress.apply(task_finished("a", message_id::task_succeeded, "success"), t0);
  progress.apply(task_finished("b", message_id::task_skipped, "skipped", "locked"), t0);
  CHECK(progress.line(t0) == "Done b (skipped)");
}

TEST_CASE("RunProgress: an interrupted run names the signal and the tasks not run")
{
  RunProgress progress;
  progress.apply(run_started(4), t0);
  progress.apply(task_started("a", "1/4"), t0);
  progress.apply(task_finished("a", message_id::task_succeeded, "success"), t0);
  progress.apply(task_started("b", "2/4"), t0);
  progress.apply(task_finished("b", message_id::task_killed, "killed"), t0);
  progress.apply(task_finished("c", message_id::task_skipped, "skipped", "interrupted"), t0);
  progress.apply(task_finished("d", message_id::task_skipped, "skipped", "interrupted"), t0);
  CHECK(progress.apply(run_interrupted(), t0));
  CHECK(progress.line(t0) == "Interrupted by SIGTERM: 1 succeeded, 1 killed, 2 not run");
}

TEST_CASE("RunProgress: a run with no task")
{
  RunProgress progress;
  progress.apply(run_started(0), t0);
  CHECK(progress.line(t0) == "Starting: 0 tasks");
  progress.apply(run_finished(), t0);
  CHECK(progress.line(t0) == "Finished: nothing to run");
}

TEST_CASE("ProgressLog: forwards every record unchanged")
{
  RecordingLog inner;
  FakeClock clock;
  ProgressLog log(inner, clock);
  const Record records[] = {run_started(1), task_started("a", "1/1"), output_line("a"),
                            task_finished("a", message_id::task_succeeded, "success"),
                            run_finished()};
  for (const auto& record : records) {
    log.emit(record);
  }
  REQUIRE(inner.records.size() == std::size(records));
  for (std::size_t i = 0; i < std::size(records); ++i) {
    CHECK(inner.records[i].message_id == records[i].message_id);
    CHECK(inner.records[i].message == records[i].message);
    CHECK(inner.records[i].fields.size() == records[i].fields.size());
  }
}

TEST_CASE("ProgressLog::publish_once: sends changes, ticks while a task runs, stops after finish")
{
  RecordingLog inner;
  FakeClock clock; // every reading moves time on by 250 ms
  FakeStatusSink sink;
  ProgressLog log(inner, clock);

  CHECK(log.publish_once(sink, 0ms)); // nothing yet: nothing sent
  CHECK(sink.sent().empty());

  log.emit(run_started(2));
  log.emit(task_started("slow", "1/2")); // coalesced with the line above
  CHECK(log.publish_once(sink, 0ms));
  REQUIRE(sink.sent().size() == 1);
  CHECK(sink.sent().back() == "Running 1/2: slow (0s)");

  clock.mono += 41s; // the ticker's refresh: the same task, a later time
  CHECK(log.publish_once(sink, 0ms));
  REQUIRE(sink.sent().size() == 2);
  CHECK(sink.sent().back() == "Running 1/2: slow (41s)");

  log.emit(output_line("slow"));
  log.emit(task_finished("slow", message_id::task_succeeded, "success"));
  CHECK(log.publish_once(sink, 0ms)); // between tasks: no change worth sending, no tick
  CHECK(sink.sent().size() == 2);

  log.emit(task_finished("b", message_id::task_failed, "failed"));
  log.emit(run_finished());
  log.finish();
  CHECK(log.publish_once(sink, 1h)); // finishing: the last line goes out without waiting
  CHECK(sink.sent().back() == "Finished: 1 succeeded, 1 failed");
  CHECK_FALSE(log.publish_once(sink, 1h));
  CHECK(sink.sent().size() == 3);
}

TEST_CASE("ProgressLog::publish: a sink that blocks never holds up emit()")
{
  RecordingLog inner;
  FakeClock clock;
  FakeStatusSink sink;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  sink.on_send = [released](const std::string&) { released.wait(); };
  ProgressLog log(inner, clock);
  std::thread publisher([&] { log.publish(sink, 10ms); });

  log.emit(run_started(1));
  log.emit(task_started("a", "1/1"));
  for (int i = 0; i < 1000; ++i) {
    log.emit(output_line("a")); // while the publisher is stuck in send_status
  }
  log.emit(task_finished("a", message_id::task_succeeded, "success"));
  log.emit(run_finished());
  CHECK(inner.records.size() == 1004); // the run went on

  log.finish();
  release.set_value();
  publisher.join();
  const auto sent = sink.sent();
  REQUIRE_FALSE(sent.empty());
  CHECK(sent.back() == "Finished: 1 succeeded");
}
