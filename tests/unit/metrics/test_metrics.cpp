// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "metrics/metrics.hpp"

using namespace pt;

namespace {

constexpr std::int64_t k_t0 = 1'700'000'000'000'000; // usec since the epoch

Config config_of(std::initializer_list<std::string> names)
{
  Config config;
  for (const auto& name : names) {
    Task task;
    task.name = name;
    task.command = {"/bin/true"};
    config.tasks.push_back(task);
  }
  return config;
}

TaskOutcome outcome(const std::string& name, TaskResult result, std::int64_t started_usec,
                    std::int64_t duration_usec, std::optional<int> exit_status = std::nullopt)
{
  TaskOutcome o;
  o.name = name;
  o.result = result;
  o.started_at_usec = started_usec;
  o.duration_usec = duration_usec;
  o.exit_status = exit_status;
  return o;
}

TaskOutcome skipped(const std::string& name, SkipReason reason)
{
  TaskOutcome o = outcome(name, TaskResult::skipped, k_t0, 0);
  o.skip_reason = reason;
  return o;
}

RunSummary summary_of(std::vector<TaskOutcome> outcomes, bool dry_run = false)
{
  RunSummary summary;
  summary.context = RunContext{"0123456789abcdef0123456789abcdef", "2025-01-27", dry_run};
  summary.trigger = Trigger::manual;
  summary.started_at_usec = k_t0;
  summary.tasks = std::move(outcomes);
  return summary;
}

// Runs `summary` over `previous` text, as a run does.
std::string after(std::string_view previous, const RunSummary& summary, const Config& config)
{
  return updated_metrics_text(previous, summary, config);
}

const TaskMetrics& metrics_of(const std::vector<TaskMetrics>& all, std::string_view task)
{
  for (const auto& m : all) {
    if (m.task == task) {
      return m;
    }
  }
  FAIL("no metrics for task " << task);
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("render_metrics: a first run of two tasks")
{
  const Config config = config_of({"cleanup", "backup"});
  const auto text =
      after("",
            summary_of({outcome("cleanup", TaskResult::success, k_t0, 1'500'000, 0),
                        outcome("backup", TaskResult::failed, k_t0 + 1'500'001, 250'000, 3)}),
            config);
  CHECK(text ==
        "# HELP periodic_tasks_last_run_timestamp_seconds Start time of the task's last run that "
        "was not skipped, in seconds since the epoch.\n"
        "# TYPE periodic_tasks_last_run_timestamp_seconds gauge\n"
        "periodic_tasks_last_run_timestamp_seconds{task=\"cleanup\"} 1700000000\n"
        "periodic_tasks_last_run_timestamp_seconds{task=\"backup\"} 1700000001.500001\n"
        "# HELP periodic_tasks_last_success_timestamp_seconds Start time of the task's last "
        "successful run, in seconds since the epoch.\n"
        "# TYPE periodic_tasks_last_success_timestamp_seconds gauge\n"
        "periodic_tasks_last_success_timestamp_seconds{task=\"cleanup\"} 1700000000\n"
        "# HELP periodic_tasks_last_duration_seconds Duration of the task's last run (its last "
        "attempt), in seconds.\n"
        "# TYPE periodic_tasks_last_duration_seconds gauge\n"
        "periodic_tasks_last_duration_seconds{task=\"cleanup\"} 1.5\n"
        "periodic_tasks_last_duration_seconds{task=\"backup\"} 0.25\n"
        "# HELP periodic_tasks_last_result Result of the task's last run: 1 for the result it "
        "had, 0 for the others.\n"
        "# TYPE periodic_tasks_last_result gauge\n"
        "periodic_tasks_last_result{task=\"cleanup\",result=\"success\"} 1\n"
        "periodic_tasks_last_result{task=\"cleanup\",result=\"failed\"} 0\n"
        "periodic_tasks_last_result{task=\"cleanup\",result=\"timeout\"} 0\n"
        "periodic_tasks_last_result{task=\"cleanup\",result=\"killed\"} 0\n"
        "periodic_tasks_last_result{task=\"cleanup\",result=\"error\"} 0\n"
        "periodic_tasks_last_result{task=\"backup\",result=\"success\"} 0\n"
        "periodic_tasks_last_result{task=\"backup\",result=\"failed\"} 1\n"
        "periodic_tasks_last_result{task=\"backup\",result=\"timeout\"} 0\n"
        "periodic_tasks_last_result{task=\"backup\",result=\"killed\"} 0\n"
        "periodic_tasks_last_result{task=\"backup\",result=\"error\"} 0\n"
        "# HELP periodic_tasks_consecutive_failures Runs of the task since its last success that "
        "failed, timed out, were killed or could not start.\n"
        "# TYPE periodic_tasks_consecutive_failures gauge\n"
        "periodic_tasks_consecutive_failures{task=\"cleanup\"} 0\n"
        "periodic_tasks_consecutive_failures{task=\"backup\"} 1\n"
        "# HELP periodic_tasks_last_exit_status Exit status of the command task's last run, when "
        "its process exited by itself.\n"
        "# TYPE periodic_tasks_last_exit_status gauge\n"
        "periodic_tasks_last_exit_status{task=\"cleanup\"} 0\n"
        "periodic_tasks_last_exit_status{task=\"backup\"} 3\n");
}

TEST_CASE("render_metrics: nothing known renders an empty file")
{
  CHECK(render_metrics({}) == "");
  CHECK(after("", summary_of({skipped("a", SkipReason::locked)}), config_of({"a"})) == "");
}

TEST_CASE("parse_metrics: reads back what render_metrics wrote")
{
  TaskMetrics a;
  a.task = "a";
  a.last_run_usec = k_t0 + 123'456;
  a.last_success_usec = k_t0 - 86'400'000'000;
  a.last_duration_usec = 1;
  a.last_result = TaskResult::timeout;
  a.consecutive_failures = 17;
  TaskMetrics b;
  b.task = "b";
  b.last_result = TaskResult::error;
  b.last_exit_status = 255;

  const auto parsed = parse_metrics(render_metrics({a, b}));

  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0].task == "a");
  CHECK(parsed[0].last_run_usec == k_t0 + 123'456);
  CHECK(parsed[0].last_success_usec == k_t0 - 86'400'000'000);
  CHECK(parsed[0].last_duration_usec == 1);
  CHECK(parsed[0].last_result == TaskResult::timeout);
  CHECK(parsed[0].consecutive_failures == 17);
  CHECK_FALSE(parsed[0].last_exit_status.has_value());
  CHECK(parsed[1].task == "b");
  CHECK_FALSE(parsed[1].last_run_usec.has_value());
  CHECK(parsed[1].last_result == TaskResult::error);
  CHECK(parsed[1].last_exit_status == 255);
  CHECK(render_metrics(parsed) == render_metrics({a, b}));
}

TEST_CASE("parse_metrics: other spellings of the format")
{
  const auto parsed = parse_metrics(
      "periodic_tasks_last_run_timestamp_seconds { task = \"a\" , } 1.7e9 1700000000000\n"
      "periodic_tasks_last_duration_seconds{task=\"a\"}\t0.0000015\n"
      "periodic_tasks_consecutive_failures{task=\"a\"} 3.0\n"
      "  periodic_tasks_last_exit_status{task=\"a\"} 2\r\n");
  REQUIRE(parsed.size() == 1);
  CHECK(parsed[0].last_run_usec == k_t0);
  CHECK(parsed[0].last_duration_usec == 1);
  CHECK(parsed[0].consecutive_failures == 3);
  CHECK_FALSE(parsed[0].last_exit_status.has_value()); // "2\r" is not a number
}

TEST_CASE("parse_metrics: ignores garbage and keeps what it can read")
{
  const std::string good = "periodic_tasks_consecutive_failures{task=\"a\"} 2\n";
  SUBCASE("lines that are not ours or not samples")
  {
    const auto parsed =
        parse_metrics("# HELP periodic_tasks_consecutive_failures x\n"
                      "# TYPE periodic_tasks_consecutive_failures gauge\n"
                      "\n"
                      "node_cpu_seconds_total{cpu=\"0\"} 12\n"
                      "periodic_tasks_unknown{task=\"a\"} 1\n"
                      "periodic_tasks_consecutive_failures 4\n"
                      "periodic_tasks_consecutive_failures{task=\"a\",extra=\"x\"} 5\n"
                      "periodic_tasks_consecutive_failures{job=\"a\"} 6\n" +
                      good);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].consecutive_failures == 2);
  }
  SUBCASE("values that cannot be ours")
  {
    const auto parsed =
        parse_metrics(good + "periodic_tasks_consecutive_failures{task=\"a\"} -1\n"
                             "periodic_tasks_consecutive_failures{task=\"a\"} 1.5\n"
                             "periodic_tasks_consecutive_failures{task=\"a\"} NaN\n"
                             "periodic_tasks_consecutive_failures{task=\"a\"} +Inf\n"
                             "periodic_tasks_consecutive_failures{task=\"a\"} x\n"
                             "periodic_tasks_consecutive_failures{task=\"a\"}\n"
                             "periodic_tasks_last_run_timestamp_seconds{task=\"a\"} -5\n"
                             "periodic_tasks_last_run_timestamp_seconds{task=\"a\"} 1e300\n"
                             "periodic_tasks_last_run_timestamp_seconds{task=\"a\"} 1.2.3\n"
                             "periodic_tasks_last_exit_status{task=\"a\"} 256\n"
                             "periodic_tasks_last_result{task=\"a\",result=\"skipped\"} 1\n"
                             "periodic_tasks_last_result{task=\"a\",result=\"ok\"} 1\n"
                             "periodic_tasks_last_result{task=\"a\",result=\"failed\"} 2\n"
                             "periodic_tasks_last_result{task=\"a\"} 1\n"
                             "periodic_tasks_consecutive_failures{task=\"b\"} x\n");
    REQUIRE(parsed.size() == 1); // "b" was named only by an unreadable line
    CHECK(parsed[0].consecutive_failures == 2);
    CHECK_FALSE(parsed[0].last_run_usec.has_value());
    CHECK_FALSE(parsed[0].last_exit_status.has_value());
    CHECK_FALSE(parsed[0].last_result.has_value());
  }
  SUBCASE("broken label sets")
  {
    for (const char* line : {
             "periodic_tasks_consecutive_failures{task=\"a} 7\n",
             "periodic_tasks_consecutive_failures{task=\"a\" 7\n",
             "periodic_tasks_consecutive_failures{task=a} 7\n",
             "periodic_tasks_consecutive_failures{task} 7\n",
             "periodic_tasks_consecutive_failures{=\"a\"} 7\n",
             "periodic_tasks_consecutive_failures{task=\"a\\x\"} 7\n",
             "periodic_tasks_consecutive_failures{task=\"a\"\"} 7\n",
             "periodic_tasks_consecutive_failures{task=\"a\\",
             "periodic_tasks_consecutive_failures{",
         }) {
      CAPTURE(line);
      const auto parsed = parse_metrics(good + line);
      REQUIRE(parsed.size() == 1);
      CHECK(parsed[0].consecutive_failures == 2);
    }
  }
  SUBCASE("binary bytes and no final newline")
  {
    std::string text = good;
    for (int i = 0; i < 4096; ++i) {
      text += static_cast<char>((i * 7919) % 256);
    }
    text += "\nperiodic_tasks_last_exit_status{task=\"a\"} 9";
    const auto parsed = parse_metrics(text);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].consecutive_failures == 2);
    CHECK(parsed[0].last_exit_status == 9);
  }
}

TEST_CASE("render_metrics: label values are escaped and read back")
{
  TaskMetrics odd;
  odd.task = "a\"b\\c\nd";
  odd.consecutive_failures = 1;
  const auto text = render_metrics({odd});
  CHECK(text.find("periodic_tasks_consecutive_failures{task=\"a\\\"b\\\\c\\nd\"} 1\n") !=
        std::string::npos);
  const auto parsed = parse_metrics(text);
  REQUIRE(parsed.size() == 1);
  CHECK(parsed[0].task == odd.task);
}

TEST_CASE("merge_metrics: a run of one task keeps the others' series")
{
  const Config config = config_of({"a", "b"});
  const std::string first =
      after("",
            summary_of({outcome("a", TaskResult::success, k_t0, 1'000'000, 0),
                        outcome("b", TaskResult::failed, k_t0 + 1'000'000, 2'000'000, 1)}),
            config);
  const std::string second = after(
      first, summary_of({outcome("b", TaskResult::success, k_t0 + 3'600'000'000, 500'000, 0)}),
      config);

  const auto before = parse_metrics(first);
  const auto now = parse_metrics(second);
  REQUIRE(now.size() == 2);
  CHECK(now[0].task == "a");
  CHECK(render_metrics({now[0]}) == render_metrics({metrics_of(before, "a")}));
  CHECK(now[1].last_run_usec == k_t0 + 3'600'000'000);
  CHECK(now[1].last_success_usec == k_t0 + 3'600'000'000);
  CHECK(now[1].last_duration_usec == 500'000);
  CHECK(now[1].last_result == TaskResult::success);
  CHECK(now[1].consecutive_failures == 0);
  CHECK(now[1].last_exit_status == 0);
}

TEST_CASE("merge_metrics: consecutive failures count up and a success resets them")
{
  const Config config = config_of({"a"});
  std::string text;
  const auto run = [&](TaskResult result, std::int64_t hour, std::optional<int> status) {
    text = after(text, summary_of({outcome("a", result, k_t0 + hour * 3'600'000'000, 1, status)}),
                 config);
    return metrics_of(parse_metrics(text), "a");
  };

  auto m = run(TaskResult::failed, 0, 2);
  CHECK(m.consecutive_failures == 1);
  CHECK_FALSE(m.last_success_usec.has_value()); // never succeeded: no series
  CHECK(text.find("periodic_tasks_last_success_timestamp_seconds") == std::string::npos);

  m = run(TaskResult::success, 1, 0);
  CHECK(m.consecutive_failures == 0);
  CHECK(m.last_success_usec == k_t0 + 3'600'000'000);

  m = run(TaskResult::timeout, 2, std::nullopt);
  CHECK(m.consecutive_failures == 1);
  CHECK(m.last_result == TaskResult::timeout);
  CHECK_FALSE(m.last_exit_status.has_value()); // not kept from the run before
  CHECK(m.last_success_usec == k_t0 + 3'600'000'000);
  m = run(TaskResult::killed, 3, std::nullopt);
  CHECK(m.consecutive_failures == 2);
  m = run(TaskResult::error, 4, std::nullopt);
  CHECK(m.consecutive_failures == 3);
  m = run(TaskResult::failed, 5, 1);
  CHECK(m.consecutive_failures == 4);
  CHECK(m.last_exit_status == 1);
  CHECK(m.last_run_usec == k_t0 + 5 * 3'600'000'000);
  CHECK(m.last_success_usec == k_t0 + 3'600'000'000);

  m = run(TaskResult::success, 6, 0);
  CHECK(m.consecutive_failures == 0);
  CHECK(m.last_success_usec == m.last_run_usec);
}

TEST_CASE("merge_metrics: skipped tasks keep their series untouched")
{
  const Config config = config_of({"a"});
  const std::string before =
      after("", summary_of({outcome("a", TaskResult::failed, k_t0, 7, 1)}), config);
  for (const auto reason : {SkipReason::locked, SkipReason::dry_run, SkipReason::interrupted}) {
    CAPTURE(to_string(reason));
    CHECK(after(before, summary_of({skipped("a", reason)}), config) == before);
  }
}

TEST_CASE("merge_metrics: tasks no longer configured are dropped; config order wins")
{
  const std::string before = after("",
                                   summary_of({outcome("old", TaskResult::success, k_t0, 1, 0),
                                               outcome("b", TaskResult::success, k_t0, 1, 0),
                                               outcome("a", TaskResult::success, k_t0, 1, 0)}),
                                   config_of({"old", "b", "a"}));

  const auto now = merge_metrics(parse_metrics(before), summary_of({}), config_of({"a", "b", "c"}));

  REQUIRE(now.size() == 2); // "c" never ran: no series
  CHECK(now[0].task == "a");
  CHECK(now[1].task == "b");
}

TEST_CASE("merge_metrics: a task's exit status is shown only when its process exited")
{
  Config config = config_of({"cmd", "query"});
  config.tasks[1].kind = TaskKind::sql;
  auto sql = outcome("query", TaskResult::failed, k_t0, 1);
  sql.kind = TaskKind::sql;
  auto crashed = outcome("cmd", TaskResult::killed, k_t0, 1);

  const auto now = merge_metrics({}, summary_of({crashed, sql}), config);

  REQUIRE(now.size() == 2);
  CHECK_FALSE(now[0].last_exit_status.has_value());
  CHECK(now[0].last_result == TaskResult::killed);
  CHECK_FALSE(now[1].last_exit_status.has_value());
  CHECK(now[1].consecutive_failures == 1);
}

TEST_CASE("run_updates_metrics: a dry run writes nothing")
{
  CHECK(run_updates_metrics(summary_of({})));
  CHECK_FALSE(run_updates_metrics(summary_of({}, true)));
}

TEST_CASE("metrics_failed_record: a warning naming the file and the error")
{
  const Record record =
      metrics_failed_record(summary_of({}), "/var/lib/prometheus/node-exporter/pt.prom",
                            "cannot open directory /var/lib/prometheus/node-exporter: No such "
                            "file or directory");
  CHECK(record.priority == Priority::warning);
  CHECK(record.message_id == message_id::metrics_failed);
  CHECK(record.message ==
        "metrics not written to /var/lib/prometheus/node-exporter/pt.prom: cannot open directory "
        "/var/lib/prometheus/node-exporter: No such file or directory");
  CHECK(record.field("METRICS_FILE") == "/var/lib/prometheus/node-exporter/pt.prom");
  CHECK(record.field("METRICS_ERROR") ==
        "cannot open directory /var/lib/prometheus/node-exporter: No such file or directory");
  CHECK(record.field("RUN_ID") == "0123456789abcdef0123456789abcdef");
  CHECK(record.field("TRIGGER") == "manual");
}
