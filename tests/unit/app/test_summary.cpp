// SPDX-License-Identifier: MIT
#include <algorithm>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "app/summary.hpp"
#include "schedule/timestamp.hpp"
#include "test_support.hpp"

using pt::test::ScopedEnv;

using namespace pt;

namespace {

RunSummary sample()
{
  RunSummary s;
  s.context = {"0123456789abcdef0123456789abcdef", "2025-01-27", false};
  s.duration_usec = 2'500'000;
  TaskOutcome ok;
  ok.name = "cleanup";
  ok.result = TaskResult::success;
  ok.exit_status = 0;
  ok.detail = "exit status 0";
  ok.duration_usec = 1'000'000;
  TaskOutcome bad;
  bad.name = "report-weekly";
  bad.result = TaskResult::failed;
  bad.exit_status = 3;
  bad.detail = "failed: exit status 3";
  bad.duration_usec = 1'500'000;
  bad.output_tail = {"starting", "disk full"};
  s.tasks = {ok, bad};
  return s;
}

} // namespace

TEST_CASE("render_summary_text: a table and a totals line")
{
  CHECK(render_summary_text(sample()) ==
        "TASK           RESULT   DURATION  DETAIL\n"
        "cleanup        success  1.000s    exit status 0\n"
        "report-weekly  failed   1.500s    failed: exit status 3: disk full\n"
        "2 tasks: 1 succeeded, 1 failed, 0 skipped in 2.500s "
        "(run 0123456789abcdef0123456789abcdef, as of 2025-01-27)\n");
}

TEST_CASE("render_summary_json: one object with every task")
{
  const auto j = nlohmann::json::parse(render_summary_json(sample(), 1));
  CHECK(j["run_id"] == "0123456789abcdef0123456789abcdef");
  CHECK(j["exit_code"] == 1);
  CHECK(j["dry_run"] == false);
  CHECK(j["interrupted_by"].is_null());
  REQUIRE(j["tasks"].size() == 2);
  CHECK(j["tasks"][1]["name"] == "report-weekly");
  CHECK(j["tasks"][1]["result"] == "failed");
  CHECK(j["tasks"][1]["exit_status"] == 3);
  CHECK(j["tasks"][1]["signal"].is_null());
  CHECK(j["tasks"][1]["output_tail"][1] == "disk full");
}

TEST_CASE("render_summary_text: a task's escape sequences and newlines are shown in its row")
{
  RunSummary s = sample();
  s.tasks[1].output_tail.back() = "\x1b[2K\rbackup success\nperiodic_tasks: task \"b\" succeeded";
  s.tasks[1].name = "report\x9b";
  const std::string text = render_summary_text(s);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("\\x1b[2K\\rbackup success\\nperiodic_tasks: task \"b\" succeeded\n") !=
        std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 4);
}

TEST_CASE("render_summary_json: exact text, every byte safe on a terminal")
{
  RunSummary s = sample();
  const std::string tail = "\x1b[2J\x7f\xc2\x9b"
                           "2J\xe2\x80\xae\nok \xc3\xa9";
  s.tasks[1].output_tail.back() = tail;
  const std::string text = render_summary_json(s, 1);
  CHECK(text.find("\"\\u001b[2J\\u007f\\u009b2J\\u202e\\nok \xc3\xa9\"") != std::string::npos);
  CHECK(nlohmann::json::parse(text)["tasks"][1]["output_tail"][1] == tail);
}

TEST_CASE("render_task_list_text: run order, kind, enabled, timeout, source")
{
  Config config;
  Task t;
  t.name = "cleanup";
  t.timeout = std::chrono::minutes(5);
  t.origin = {"/etc/periodic-tasks/config.toml", 7, 1};
  config.tasks.push_back(t);
  t.name = "off";
  t.enabled = false;
  t.timeout = k_infinite;
  t.origin = {"/etc/periodic-tasks/tasks.d/10-off.toml", 1, 1};
  config.tasks.push_back(t);
  CHECK(render_task_list_text(config, {}) ==
        "#  TASK     KIND     ENABLED  TIMEOUT   SCHEDULE  NEXT  SOURCE\n"
        "1  cleanup  command  yes      5min      -         -     "
        "/etc/periodic-tasks/config.toml:7:1\n"
        "2  off      command  no       infinity  -         -     "
        "/etc/periodic-tasks/tasks.d/10-off.toml:1:1\n");
}

TEST_CASE("render_task_list: a scheduled task's schedule and next elapse; none when disabled")
{
  const ScopedEnv tz("TZ", "UTC");
  Config config;
  Task t;
  t.name = "report";
  t.timeout = std::chrono::minutes(5);
  t.origin = {"/etc/periodic-tasks/config.toml", 1, 1};
  for (const char* text : {"Mon 08:00 Europe/Berlin", "daily"}) {
    t.schedule.push_back({text, {}, parse_calendar(text, "UTC").value()});
  }
  config.tasks.push_back(t);
  t.name = "off";
  t.enabled = false;
  config.tasks.push_back(t);
  const auto now = parse_timestamp("2026-12-06 12:00:00", "UTC").value(); // a Sunday
  CHECK(
      render_task_list_text(config, now) ==
      "#  TASK    KIND     ENABLED  TIMEOUT  SCHEDULE                        NEXT                 "
      "SOURCE\n"
      "1  report  command  yes      5min     Mon 08:00 Europe/Berlin; daily  2026-12-07 00:00:00  "
      "/etc/periodic-tasks/config.toml:1:1\n"
      "2  off     command  no       5min     Mon 08:00 Europe/Berlin; daily  -                    "
      "/etc/periodic-tasks/config.toml:1:1\n");
  const auto j = nlohmann::json::parse(render_task_list_json(config, now));
  CHECK(j["tasks"][0]["schedule"] ==
        nlohmann::json::array({"Mon *-*-* 08:00:00 Europe/Berlin", "*-*-* 00:00:00 UTC"}));
  CHECK(j["tasks"][0]["next"] == "2026-12-07T00:00:00Z");
  CHECK(j["tasks"][1]["next"].is_null());
}
