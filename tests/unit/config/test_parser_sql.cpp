// SPDX-License-Identifier: MIT
// SQL tasks, [databases.*] and retries in the config parser.
#include <doctest/doctest.h>

#include "config/parser.hpp"
#include "config_text.hpp"

using namespace std::chrono_literals;
using pt::test::error_of;
using pt::test::parsed;

TEST_CASE("parse_config: a SQL task with its database")
{
  const auto config = parsed(R"cfg(
[databases.main]
conninfo = "host=/run/postgresql dbname=app user=app"
password_credential = "periodic-tasks-db-password"
connect_timeout = "5s"

[[task]]
name = "vesting-release"
sql = "SELECT * FROM release_matured_lots($1::date)"
params = ["as_of"]
timeout = "5min"
retries = 2
retry_delay = "10s"
)cfg");
  REQUIRE(config.databases.size() == 1);
  const auto& db = config.databases[0];
  CHECK(db.name == "main");
  CHECK(db.conninfo == "host=/run/postgresql dbname=app user=app");
  CHECK(db.password_credential == "periodic-tasks-db-password");
  CHECK_FALSE(db.password_file);
  CHECK(db.connect_timeout == 5s);
  REQUIRE(config.tasks.size() == 1);
  const auto& task = config.tasks[0];
  CHECK(task.kind == pt::TaskKind::sql);
  CHECK(task.database == "main"); // the only one, so it may be omitted
  CHECK(task.sql == std::vector<std::string>{"SELECT * FROM release_matured_lots($1::date)"});
  CHECK(task.params == std::vector<std::string>{"as_of"});
  CHECK(task.timeout == 5min);
  CHECK(task.retries == 2);
  CHECK(task.retry_delay == 10s);
}

TEST_CASE("parse_config: sql may be an array of statements, run in order")
{
  const auto config = parsed(R"cfg(
[databases.a]
conninfo = "dbname=a"
[databases.b]
conninfo = "postgresql:///b"

[[task]]
name = "roll-up"
database = "b"
sql = ["DELETE FROM daily WHERE day = $1::date", "INSERT INTO daily SELECT 1"]
params = ["as_of"]
)cfg");
  CHECK(config.databases[1].connect_timeout == 10s);
  CHECK(config.tasks[0].database == "b");
  CHECK(config.tasks[0].sql.size() == 2);
}

TEST_CASE("parse_config: SQL task and database errors")
{
  SUBCASE("no database defined")
  {
    CHECK(error_of(R"cfg(
[[task]]
name = "x"
sql = "SELECT 1"
)cfg") == "cfg.toml:1:1: SQL task \"x\" needs a database, and none is defined; add a "
          "[databases.main] table with conninfo = \"...\" to the main config file");
  }
  SUBCASE("several databases and none named")
  {
    CHECK(error_of(R"cfg(
[databases.a]
conninfo = "dbname=a"
[databases.b]
conninfo = "dbname=b"
[[task]]
name = "x"
sql = "SELECT 1"
)cfg") == "cfg.toml:5:1: task \"x\" must say which database it uses; add database = \"a\" "
          "(defined: a, b)");
  }
  SUBCASE("misspelt database")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
[[task]]
name = "x"
database = "mian"
sql = "SELECT 1"
)cfg") == "cfg.toml:5:12: unknown database \"mian\" in task \"x\"; did you mean \"main\"?");
  }
  SUBCASE("unknown parameter")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
[[task]]
name = "x"
sql = "SELECT $1"
params = ["as-of"]
)cfg") == "cfg.toml:6:11: unknown parameter \"as-of\" in \"params\" in task \"x\"; did you mean "
          "\"as_of\"?");
  }
  SUBCASE("empty statement")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
[[task]]
name = "x"
sql = ["SELECT 1", " ; "]
)cfg") == "cfg.toml:5:7: \"sql\" in task \"x\" has an empty statement; write the SQL to run, e.g. "
          "sql = \"DELETE FROM events WHERE day < $1::date\"");
  }
  SUBCASE("both command and sql")
  {
    CHECK(error_of(R"cfg(
[[task]]
name = "x"
command = ["/bin/true"]
sql = "SELECT 1"
)cfg") == "cfg.toml:4:7: task \"x\" has both \"command\" and \"sql\"; a task is either a command "
          "or SQL; split it into two tasks");
  }
  SUBCASE("a command-only key in a SQL task")
  {
    CHECK(
        error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
[[task]]
name = "x"
sql = "SELECT 1"
dry_run_args = ["--x"]
)cfg") ==
        "cfg.toml:6:1: unknown key \"dry_run_args\" in task \"x\"; valid keys: name, description, "
        "enabled, database, sql, params, timeout, retries, retry_delay, schedule, catch_up, "
        "catch_up_window, randomized_delay, accuracy, exclusive");
  }
  SUBCASE("an infinite connect_timeout")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
connect_timeout = "infinity"
)cfg") == "cfg.toml:3:19: \"connect_timeout\" in [databases.main] must be a finite time span, "
          "not \"infinity\"; a server that never answers would hold the run forever; use a "
          "span such as \"10s\"");
  }
  SUBCASE("a database name breaking the task-name rule")
  {
    const auto bad = [](std::string_view header) {
      return error_of(std::string(header) + "\nconninfo = \"dbname=a\"\n");
    };
    const std::string hint =
        R"(; use lower-case letters, digits, "_", "." and "-", starting with a letter or digit)";
    CHECK(bad(R"([databases."Bad Name"])") ==
          R"(cfg.toml:1:12: invalid database name "Bad Name")" + hint);
    CHECK(bad(R"([databases.""])") == R"(cfg.toml:1:12: invalid database name "")" + hint);
    CHECK(bad(R"([databases.Main])") == R"(cfg.toml:1:12: invalid database name "Main")" + hint);
    CHECK(bad(R"([databases."a/b"])") == R"(cfg.toml:1:12: invalid database name "a/b")" + hint);
    CHECK(bad(R"([databases."-a"])") == R"(cfg.toml:1:12: invalid database name "-a")" + hint);
    CHECK(bad("[databases." + std::string(65, 'a') + "]") ==
          "cfg.toml:1:12: invalid database name \"" + std::string(65, 'a') +
              "\"; use at most 64 characters");
    CHECK(bad("[databases.main]\nconninfo = \"dbname=a\"\n[databases.\"Main\"]") ==
          R"(cfg.toml:3:12: invalid database name "Main")" + hint);
    CHECK(parsed("[databases.\"a.b_c-1\"]\nconninfo = \"dbname=a\"\n").databases.at(0).name ==
          "a.b_c-1");
  }
  SUBCASE("database without conninfo")
  {
    CHECK(error_of(R"cfg(
[databases.main]
connect_timeout = "5s"
)cfg") == "cfg.toml:1:12: [databases.main] has no \"conninfo\"; add conninfo = "
          "\"host=/run/postgresql dbname=app user=app\"");
  }
  SUBCASE("misspelt database key")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
pasword_file = "/etc/pw"
)cfg") == "cfg.toml:3:1: unknown key \"pasword_file\" in [databases.main]; did you mean "
          "\"password_file\"?");
  }
  SUBCASE("both password sources")
  {
    CHECK(error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
password_file = "/etc/pw"
password_credential = "pw"
)cfg") == "cfg.toml:1:12: [databases.main] has both \"password_file\" and \"password_credential\"; "
          "keep one: the password comes from a file or from a systemd credential");
  }
  SUBCASE("credential name with a slash")
  {
    CHECK(
        error_of(R"cfg(
[databases.main]
conninfo = "dbname=a"
password_credential = "../pw"
)cfg") ==
        "cfg.toml:3:23: invalid credential name \"../pw\" in [databases.main]; give the name used "
        "in LoadCredential=, e.g. \"periodic-tasks-db-password\"");
  }
  SUBCASE("retries out of range")
  {
    CHECK(error_of(R"cfg(
[[task]]
name = "x"
command = ["/bin/true"]
retries = -1
)cfg") == "cfg.toml:4:11: \"retries\" in task \"x\" must be between 0 and 100, not -1");
  }
}

TEST_CASE("parse_config: commands take retries and retry_exit_codes")
{
  const auto config = parsed(R"cfg(
[[task]]
name = "x"
command = ["/bin/true"]
retries = 1
retry_exit_codes = [75]
)cfg");
  CHECK(config.tasks[0].retries == 1);
  CHECK(config.tasks[0].retry_exit_codes == std::vector<int>{75});
  CHECK(config.tasks[0].retry_delay == 30s);
}
