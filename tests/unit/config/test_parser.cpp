// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "config/parser.hpp"
#include "config_text.hpp"

using namespace std::chrono_literals;
using pt::Config;
using pt::parse_config;
using pt::parse_dropin;
using pt::test::error_of;
using pt::test::parsed;

namespace {

// A valid task named "x" followed by `extra` lines.
std::string task_x(std::string_view extra)
{
  return std::string("[[task]]\nname = \"x\"\ncommand = [\"/bin/true\"]\n").append(extra);
}

} // namespace

TEST_CASE("parse_config: resolves defaults")
{
  const auto config = parsed(R"(
[[task]]
name = "cleanup"
command = ["/usr/bin/app-cleanup"]
)");
  CHECK(config.settings.timezone == "UTC");
  CHECK(config.settings.timeout == 30min);
  CHECK(config.settings.kill_timeout == 10s);
  CHECK(config.settings.output_limit == 1U << 20);
  REQUIRE(config.tasks.size() == 1);
  const auto& task = config.tasks[0];
  CHECK(task.name == "cleanup");
  CHECK(task.description.empty());
  CHECK(task.enabled);
  CHECK(task.kind == pt::TaskKind::command);
  CHECK(task.command == std::vector<std::string>{"/usr/bin/app-cleanup"});
  CHECK(task.working_directory == "/");
  CHECK(task.environment.empty());
  CHECK(task.timeout == 30min);
  CHECK(task.kill_timeout == 10s);
  CHECK(task.success_exit_codes == std::vector<int>{0});
  CHECK_FALSE(task.dry_run_args.has_value());
  CHECK(pt::format_location(task.origin) == "cfg.toml:1:1");
  CHECK(config.sources == std::vector<std::string>{"cfg.toml"});
}

TEST_CASE("parse_config: reads every key")
{
  const auto config = parsed(R"(
[settings]
timezone = "Europe/Berlin"
timeout = "1h"
kill_timeout = "30s"
output_limit = "64KiB"

[[task]]
name = "cleanup"
description = "Delete old uploads"
enabled = false
command = ["/usr/bin/app-cleanup", "--days", "90"]
working_directory = "/srv/app"
environment = { APP_ENV = "production", LANG = "C.UTF-8" }
timeout = "5min"
kill_timeout = "2s"
success_exit_codes = [0, 3]
dry_run_args = ["--dry-run"]
)");
  CHECK(config.settings.timezone == "Europe/Berlin");
  CHECK(config.settings.timeout == 1h);
  CHECK(config.settings.kill_timeout == 30s);
  CHECK(config.settings.output_limit == 65536U);
  const auto& task = config.tasks.at(0);
  CHECK(task.description == "Delete old uploads");
  CHECK_FALSE(task.enabled);
  CHECK(task.command == std::vector<std::string>{"/usr/bin/app-cleanup", "--days", "90"});
  CHECK(task.working_directory == "/srv/app");
  using Variables = std::vector<std::pair<std::string, std::string>>;
  CHECK(task.environment == Variables{{"APP_ENV", "production"}, {"LANG", "C.UTF-8"}});
  CHECK(task.timeout == 5min);
  CHECK(task.kill_timeout == 2s);
  CHECK(task.success_exit_codes == std::vector<int>{0, 3});
  CHECK(task.dry_run_args == std::vector<std::string>{"--dry-run"});
  CHECK(pt::format_location(task.origin) == "cfg.toml:7:1");
}

TEST_CASE("parse_config: tasks inherit [settings] wherever it stands")
{
  const auto config = parsed(R"(
[[task]]
name = "a"
command = ["/bin/true"]

[[task]]
name = "b"
command = ["/bin/true"]
timeout = "infinity"
kill_timeout = "0"

[settings]
timeout = "2h"
kill_timeout = "1min"
output_limit = 4096
)");
  CHECK(config.settings.output_limit == 4096U);
  CHECK(config.tasks.at(0).timeout == 2h);
  CHECK(config.tasks.at(0).kill_timeout == 1min);
  CHECK(config.tasks.at(1).timeout == pt::k_infinite);
  CHECK(config.tasks.at(1).kill_timeout == 0s);
}

TEST_CASE("parse_config: keeps the file order of tasks and environment")
{
  const auto config = parsed(R"(
[[task]]
name = "zeta"
command = ["/bin/true"]
[task.environment]
ZED = "1"
ALPHA = "2"
MIDDLE = "3"

[[task]]
name = "alpha"
command = ["/bin/true"]
)");
  REQUIRE(config.tasks.size() == 2);
  CHECK(config.tasks[0].name == "zeta");
  CHECK(config.tasks[1].name == "alpha");
  const auto& environment = config.tasks[0].environment;
  REQUIRE(environment.size() == 3);
  CHECK(environment[0].first == "ZED");
  CHECK(environment[1].first == "ALPHA");
  CHECK(environment[2].first == "MIDDLE");
}

TEST_CASE("parse_config: an empty file is a config without tasks")
{
  const auto config = parsed("");
  CHECK(config.tasks.empty());
  CHECK(config.sources == std::vector<std::string>{"cfg.toml"});
}

TEST_CASE("parse_config: TOML syntax errors keep toml++'s words and position")
{
  CHECK(error_of("a = [1,\nb = 2") ==
        "cfg.toml:2:1: Error while parsing value: could not determine value type; the file must "
        "be valid TOML (https://toml.io); check quotes, brackets and commas at this position");
  CHECK(error_of(R"(
[[task]]
name = "x"
name = "y"
)") == "cfg.toml:3:8: Error while parsing key-value pair: cannot redefine existing string "
       "'name'; the file must be valid TOML (https://toml.io); check quotes, brackets and commas "
       "at this position");
}

TEST_CASE("parse_config: unknown keys")
{
  SUBCASE("in a task, with a suggestion")
  {
    CHECK(error_of(R"(
[[task]]
name = "backup"
command = ["/usr/bin/backup"]
timout = "5min"
)") == R"(cfg.toml:4:1: unknown key "timout" in task "backup"; did you mean "timeout"?)");
  }
  SUBCASE("in a task, with the list of valid keys")
  {
    CHECK(error_of(task_x("cron = \"0 8 * * 1\"\n")) ==
          R"(cfg.toml:4:1: unknown key "cron" in task "x"; valid keys: name, description, )"
          "enabled, command, working_directory, environment, timeout, kill_timeout, "
          "success_exit_codes, dry_run_args, retries, retry_delay, retry_exit_codes, schedule, "
          "catch_up, catch_up_window, randomized_delay, accuracy, exclusive");
  }
  SUBCASE("a misspelt command is reported as a typo, not as a missing command")
  {
    CHECK(error_of("[[task]]\nname = \"x\"\ncomand = [\"/bin/true\"]\n") ==
          R"(cfg.toml:3:1: unknown key "comand" in task "x"; did you mean "command"?)");
  }
  SUBCASE("in [settings]")
  {
    CHECK(error_of("[settings]\n  time_zone = \"UTC\"\n") ==
          R"(cfg.toml:2:3: unknown key "time_zone" in [settings]; did you mean "timezone"?)");
    CHECK(error_of("[settings]\nfoo = 1\n") ==
          R"(cfg.toml:2:1: unknown key "foo" in [settings]; valid keys: timezone, timeout, )"
          "kill_timeout, output_limit");
  }
  SUBCASE("at top level")
  {
    CHECK(error_of("[[tasks]]\nname = \"x\"\n") ==
          R"(cfg.toml:1:3: unknown key "tasks" at top level; did you mean "task"?)");
    CHECK(error_of("timeout = \"5min\"\n") ==
          R"(cfg.toml:1:1: unknown key "timeout" at top level; valid keys: settings, databases, )"
          "metrics, cluster, task");
  }
  SUBCASE("the first one in the file is reported, not the first alphabetically")
  {
    CHECK(error_of(task_x("zzz = 1\naaa = 2\n")) ==
          R"(cfg.toml:4:1: unknown key "zzz" in task "x"; valid keys: name, description, )"
          "enabled, command, working_directory, environment, timeout, kill_timeout, "
          "success_exit_codes, dry_run_args, retries, retry_delay, retry_exit_codes, schedule, "
          "catch_up, catch_up_window, randomized_delay, accuracy, exclusive");
  }
}

TEST_CASE("parse_config: wrong types name the key, the expected and the actual type")
{
  CHECK(error_of(task_x("timeout = 300\n")) ==
        R"(cfg.toml:4:11: "timeout" in task "x" must be a string (time span such as "5min"), )"
        "not an integer");
  CHECK(error_of(task_x("enabled = \"yes\"\n")) ==
        R"(cfg.toml:4:11: "enabled" in task "x" must be a boolean, not a string)");
  CHECK(error_of(task_x("description = 1.5\n")) ==
        R"(cfg.toml:4:15: "description" in task "x" must be a string, not a float)");
  CHECK(error_of("[[task]]\nname = \"x\"\ncommand = \"/bin/true\"\n") ==
        R"(cfg.toml:3:11: "command" in task "x" must be an array of strings, not a string)");
  CHECK(error_of("[[task]]\nname = \"x\"\ncommand = [\"/bin/echo\", 1]\n") ==
        R"(cfg.toml:3:25: element 2 of "command" in task "x" must be a string, not an integer)");
  CHECK(error_of(task_x("environment = [\"A=1\"]\n")) ==
        R"(cfg.toml:4:15: "environment" in task "x" must be a table of strings, not an array)");
  CHECK(error_of(task_x("success_exit_codes = 0\n")) ==
        R"(cfg.toml:4:22: "success_exit_codes" in task "x" must be an array of integers, )"
        "not an integer");
  CHECK(error_of(task_x("dry_run_args = \"--dry-run\"\n")) ==
        R"(cfg.toml:4:16: "dry_run_args" in task "x" must be an array of strings, not a string)");
  CHECK(error_of("settings = 1\n") ==
        R"(cfg.toml:1:12: "settings" at top level must be a table, not an integer)");
  CHECK(error_of("[settings]\noutput_limit = true\n") ==
        R"(cfg.toml:2:16: "output_limit" in [settings] must be a string (size such as "1MiB") )"
        "or an integer, not a boolean");
  CHECK(error_of("[[task]]\nname = 7\n") ==
        R"(cfg.toml:2:8: "name" in task #1 must be a string, not an integer)");
}

TEST_CASE("parse_config: \"task\" must be an array of tables")
{
  CHECK(error_of("[task]\nname = \"x\"\n") ==
        R"(cfg.toml:1:1: "task" at top level must be an array of tables, not a table; )"
        "write [[task]] (double brackets) for each task");
  CHECK(error_of("task = [1]\n") ==
        R"(cfg.toml:1:8: "task" at top level must be an array of tables, not an array; )"
        "write [[task]] (double brackets) for each task");
  CHECK(parsed("task = []\n").tasks.empty());
}

TEST_CASE("parse_config: task names")
{
  SUBCASE("missing")
  {
    CHECK(error_of("[[task]]\ncommand = [\"/bin/true\"]\n") ==
          R"(cfg.toml:1:1: task has no "name"; add name = "...")");
  }
  SUBCASE("invalid")
  {
    CHECK(error_of("[[task]]\nname = \"Backup!\"\ncommand = [\"/bin/true\"]\n") ==
          R"(cfg.toml:2:8: invalid task name "Backup!"; use lower-case letters, digits, "_", )"
          R"("." and "-", starting with a letter or digit)");
    CHECK(error_of("[[task]]\nname = \"-x\"\n") ==
          R"(cfg.toml:2:8: invalid task name "-x"; use lower-case letters, digits, "_", )"
          R"("." and "-", starting with a letter or digit)");
    CHECK(error_of("[[task]]\nname = \"\"\n") ==
          R"(cfg.toml:2:8: invalid task name ""; use lower-case letters, digits, "_", )"
          R"("." and "-", starting with a letter or digit)");
  }
  SUBCASE("too long")
  {
    const std::string name(65, 'a');
    CHECK(error_of("[[task]]\nname = \"" + name + "\"\n") ==
          "cfg.toml:2:8: invalid task name \"" + name + "\"; use at most 64 characters");
    CHECK(parsed(task_x("").replace(17, 1, std::string(64, 'a'))).tasks.at(0).name.size() == 64);
  }
  SUBCASE("all allowed characters")
  {
    CHECK(parsed("[[task]]\nname = \"0db.vacuum_full-2\"\ncommand = [\"/bin/true\"]\n")
              .tasks.at(0)
              .name == "0db.vacuum_full-2");
  }
  SUBCASE("duplicate")
  {
    CHECK(error_of(R"(
[[task]]
name = "backup"
command = ["/bin/true"]

  [[task]]
  name = "backup"
  command = ["/bin/true"]
)") == R"(cfg.toml:5:3: duplicate task name "backup"; first defined at cfg.toml:1:1)");
  }
}

TEST_CASE("parse_config: command")
{
  SUBCASE("missing")
  {
    CHECK(
        error_of("[[task]]\nname = \"x\"\n") ==
        R"(cfg.toml:1:1: task "x" has no "command" or "sql"; add command = ["/usr/bin/app", "--flag"])");
  }
  SUBCASE("empty")
  {
    CHECK(error_of("[[task]]\nname = \"x\"\ncommand = []\n") ==
          R"(cfg.toml:3:11: "command" in task "x" is empty; give the program and its )"
          R"(arguments, e.g. ["/usr/bin/app", "--flag"])");
  }
  SUBCASE("argv[0] must be absolute")
  {
    CHECK(error_of("[[task]]\nname = \"x\"\ncommand = [\"rm\", \"-rf\", \"/tmp/x\"]\n") ==
          R"(cfg.toml:3:12: argv[0] "rm" in task "x" is not an absolute path; use the full )"
          R"(path, e.g. "/usr/bin/rm"; commands never run through a shell )"
          "\u2014"
          R"( write ["/bin/sh", "-c", "..."] to use one)");
    CHECK(error_of("[[task]]\nname = \"x\"\ncommand = [\"bin/app\"]\n") ==
          R"(cfg.toml:3:12: argv[0] "bin/app" in task "x" is not an absolute path; use the )"
          R"(full path, e.g. "/usr/bin/app"; commands never run through a shell )"
          "\u2014"
          R"( write ["/bin/sh", "-c", "..."] to use one)");
  }
  SUBCASE("no NUL bytes")
  {
    CHECK(error_of("[[task]]\nname = \"x\"\ncommand = [\"/bin/echo\", \"a\\u0000b\"]\n") ==
          R"(cfg.toml:3:25: element 2 of "command" in task "x" contains a NUL byte)");
    CHECK(error_of(task_x("dry_run_args = [\"\\u0000\"]\n")) ==
          R"(cfg.toml:4:17: element 1 of "dry_run_args" in task "x" contains a NUL byte)");
  }
  SUBCASE("an empty dry_run_args runs the plain command in a dry run")
  {
    CHECK(parsed(task_x("dry_run_args = []\n")).tasks.at(0).dry_run_args ==
          std::vector<std::string>{});
  }
}

TEST_CASE("parse_config: durations")
{
  SUBCASE("bad duration in a task")
  {
    CHECK(error_of(task_x("timeout = \"5 mins\"\n")) ==
          R"(cfg.toml:4:11: bad duration "5 mins" for "timeout" in task "x": unknown unit )"
          R"("mins" (use us, ms, s, min, h, d, w, M or y); e.g. "90s", "5min", "1h 30min")");
    CHECK(error_of(task_x("kill_timeout = \"-1s\"\n")) ==
          R"(cfg.toml:4:16: bad duration "-1s" for "kill_timeout" in task "x": a time span )"
          R"(cannot be negative; e.g. "90s", "5min", "1h 30min")");
  }
  SUBCASE("bad duration in [settings]")
  {
    CHECK(error_of("[settings]\ntimeout = \"\"\n") ==
          R"(cfg.toml:2:11: bad duration "" for "timeout" in [settings]: empty time span; )"
          R"(e.g. "90s", "5min", "1h 30min")");
  }
  SUBCASE("a timeout of zero")
  {
    CHECK(error_of(task_x("timeout = \"0s\"\n")) ==
          R"(cfg.toml:4:11: bad duration "0s" for "timeout" in task "x": a timeout must be )"
          R"(greater than zero; use "infinity" for no limit)");
    CHECK(error_of("[settings]\ntimeout = \"0\"\n") ==
          R"(cfg.toml:2:11: bad duration "0" for "timeout" in [settings]: a timeout must be )"
          R"(greater than zero; use "infinity" for no limit)");
  }
  SUBCASE("an infinite kill_timeout or retry_delay")
  {
    CHECK(error_of(task_x("kill_timeout = \"infinity\"\n")) ==
          R"(cfg.toml:4:16: "kill_timeout" in task "x" must be a finite time span, not )"
          R"("infinity"; a task that ignores SIGTERM would never be stopped; use a span such as )"
          R"("30s", or "0" to send SIGKILL at once)");
    CHECK(error_of("[settings]\nkill_timeout = \"infinity\"\n") ==
          R"(cfg.toml:2:16: "kill_timeout" in [settings] must be a finite time span, not )"
          R"("infinity"; a task that ignores SIGTERM would never be stopped; use a span such as )"
          R"("30s", or "0" to send SIGKILL at once)");
    CHECK(error_of(task_x("retry_delay = \"infinity\"\n")) ==
          R"(cfg.toml:4:15: "retry_delay" in task "x" must be a finite time span, not )"
          R"("infinity"; the retry would never start; use a span such as "1min", or drop )"
          R"("retries")");
  }
  SUBCASE("the accepted forms")
  {
    CHECK(parsed(task_x("timeout = \"1h 30min\"\n")).tasks.at(0).timeout == 90min);
    CHECK(parsed(task_x("timeout = \"1.5h\"\n")).tasks.at(0).timeout == 90min);
    CHECK(parsed(task_x("timeout = \"90\"\n")).tasks.at(0).timeout == 90s);
  }
}

TEST_CASE("parse_config: environment")
{
  CHECK(error_of(task_x("environment = { 1FOO = \"x\" }\n")) ==
        R"(cfg.toml:4:17: invalid environment variable name "1FOO" in task "x"; use letters, )"
        R"(digits and "_", not starting with a digit)");
  CHECK(error_of(task_x("environment = { \"A-B\" = \"x\" }\n")) ==
        R"(cfg.toml:4:17: invalid environment variable name "A-B" in task "x"; use letters, )"
        R"(digits and "_", not starting with a digit)");
  CHECK(error_of(task_x("[task.environment]\nPERIODIC_TASKS_RUN_ID = \"1\"\n")) ==
        R"(cfg.toml:5:1: environment variable "PERIODIC_TASKS_RUN_ID" in task "x" is )"
        "reserved; names starting with PERIODIC_TASKS_ are set by periodic_tasks itself");
  CHECK(error_of(task_x("environment = { DAYS = 90 }\n")) ==
        R"(cfg.toml:4:24: "environment.DAYS" in task "x" must be a string, not an integer)");
  CHECK(error_of(task_x("environment = { A = \"\\u0000\" }\n")) ==
        R"(cfg.toml:4:21: "environment.A" in task "x" contains a NUL byte)");
  CHECK(parsed(task_x("environment = { _x1 = \"\" }\n")).tasks.at(0).environment.size() == 1);
}

TEST_CASE("parse_config: working_directory and success_exit_codes")
{
  CHECK(error_of(task_x("working_directory = \"srv/app\"\n")) ==
        R"(cfg.toml:4:21: "working_directory" in task "x" must be an absolute path, not )"
        R"("srv/app"; write the full path, e.g. "/srv/app")");
  CHECK(error_of(task_x("success_exit_codes = []\n")) ==
        R"(cfg.toml:4:22: "success_exit_codes" in task "x" is empty; list at least one exit )"
        "code, e.g. [0]");
  CHECK(error_of(task_x("success_exit_codes = [0, 256]\n")) ==
        R"(cfg.toml:4:26: exit code 256 in "success_exit_codes" in task "x" is out of range; )"
        "exit codes are 0 to 255");
  CHECK(error_of(task_x("success_exit_codes = [-1]\n")) ==
        R"(cfg.toml:4:23: exit code -1 in "success_exit_codes" in task "x" is out of range; )"
        "exit codes are 0 to 255");
  CHECK(error_of(task_x("success_exit_codes = [\"0\"]\n")) ==
        R"(cfg.toml:4:23: element 1 of "success_exit_codes" in task "x" must be an integer, )"
        "not a string");
}

TEST_CASE("parse_config: [settings] values")
{
  CHECK(error_of("[settings]\ntimezone = \"../../etc/passwd\"\n") ==
        R"(cfg.toml:2:12: invalid timezone "../../etc/passwd" in [settings]; use an IANA zone )"
        R"(name such as "UTC" or "Europe/Berlin")");
  CHECK(error_of("[settings]\ntimezone = \"/UTC\"\n") ==
        R"(cfg.toml:2:12: invalid timezone "/UTC" in [settings]; use an IANA zone name such )"
        R"(as "UTC" or "Europe/Berlin")");
  CHECK(error_of("[settings]\ntimezone = \"\"\n") ==
        R"(cfg.toml:2:12: invalid timezone "" in [settings]; use an IANA zone name such as )"
        R"("UTC" or "Europe/Berlin")");
  CHECK(error_of("[settings]\noutput_limit = -1\n") ==
        R"(cfg.toml:2:16: "output_limit" in [settings] must not be negative)");
  CHECK(error_of("[settings]\noutput_limit = \"1 Mb\"\n") ==
        R"(cfg.toml:2:16: bad size "1 Mb" for "output_limit" in [settings]: unknown unit "Mb" )"
        R"((use B, K, KiB, M, MiB, G, GiB, T, TiB, KB, MB or GB); e.g. "64KiB", "1MiB" or a )"
        "number of bytes");
  CHECK(parsed("[settings]\ntimezone = \"America/Argentina/Buenos_Aires\"\n").settings.timezone ==
        "America/Argentina/Buenos_Aires");
}

TEST_CASE("parse_dropin: takes defaults from the main config's settings")
{
  pt::Config main;
  main.settings.timeout = 2h;
  main.settings.kill_timeout = 1s;
  const auto tasks = parse_dropin(task_x("timeout = \"1min\"\n") + task_x("").replace(17, 1, "y"),
                                  "/etc/periodic-tasks/tasks.d/10-x.toml", main);
  REQUIRE(tasks.has_value());
  REQUIRE(tasks->size() == 2);
  CHECK((*tasks)[0].timeout == 1min);
  CHECK((*tasks)[0].kill_timeout == 1s);
  CHECK((*tasks)[1].name == "y");
  CHECK((*tasks)[1].timeout == 2h);
  CHECK(pt::format_location((*tasks)[1].origin) == "/etc/periodic-tasks/tasks.d/10-x.toml:5:1");
}

TEST_CASE("parse_dropin: [settings] belongs in the main config")
{
  const auto tasks = parse_dropin("[settings]\ntimeout = \"1h\"\n", "10-x.toml", {});
  REQUIRE_FALSE(tasks.has_value());
  CHECK(format_config_error(tasks.error()) ==
        "10-x.toml:1:2: [settings] is not allowed in a drop-in file; settings belong in the "
        "main config file");
}

TEST_CASE("parse_dropin: [databases] belongs in the main config, and [[task]] is all it may hold")
{
  const auto error = [](std::string_view text) {
    const auto tasks = parse_dropin(text, "10-x.toml", {});
    REQUIRE_FALSE(tasks.has_value());
    return format_config_error(tasks.error());
  };
  CHECK(error("[databases.main]\nconninfo = \"dbname=a\"\n") ==
        "10-x.toml:1:2: [databases] is not allowed in a drop-in file; databases belong in the "
        "main config file");
  CHECK(error("timeout = \"1h\"\n") ==
        R"(10-x.toml:1:1: unknown key "timeout" at top level; valid keys: task)");
}

TEST_CASE("parse_dropin: validates like the main config")
{
  const auto error = [](std::string_view text) {
    const auto tasks = parse_dropin(text, "10-x.toml", {});
    REQUIRE_FALSE(tasks.has_value());
    return format_config_error(tasks.error());
  };
  CHECK(error("tasks = []\n") ==
        R"(10-x.toml:1:1: unknown key "tasks" at top level; did you mean "task"?)");
  CHECK(error("[[task]]\nname = \"a\"\ncommand = [\"/bin/true\"]\n"
              "[[task]]\nname = \"a\"\ncommand = [\"/bin/true\"]\n") ==
        R"(10-x.toml:4:1: duplicate task name "a"; first defined at 10-x.toml:1:1)");
  CHECK(error("[[task]]\nname = \"a\"\ncommand = [\"/bin/true\"]\ntimout = \"1s\"\n") ==
        R"(10-x.toml:4:1: unknown key "timout" in task "a"; did you mean "timeout"?)");
}

TEST_CASE("find_task: finds a task in a config by name")
{
  const auto config = parsed(task_x("") + task_x("").replace(17, 1, "y"));
  REQUIRE(pt::find_task(config, "y") != nullptr);
  CHECK(pt::find_task(config, "y") == &config.tasks[1]);
  CHECK(pt::find_task(config, "z") == nullptr);
}
