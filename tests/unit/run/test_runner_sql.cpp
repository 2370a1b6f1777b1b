// SPDX-License-Identifier: MIT
// The runner's SQL tasks and retries, against the fakes.
#include <csignal>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "run/runner.hpp"

using namespace pt;
using namespace pt::test;
using namespace std::chrono_literals;

namespace {

Task sql_task(const std::string& name)
{
  Task task;
  task.name = name;
  task.kind = TaskKind::sql;
  task.database = "main";
  task.sql = {"SELECT * FROM release_matured_lots($1::date)", "REFRESH MATERIALIZED VIEW v"};
  task.params = {"as_of", "run_id", "task", "dry_run"};
  task.timeout = 5min;
  return task;
}

Task command_task(const std::string& name)
{
  Task task;
  task.name = name;
  task.command = {"/bin/" + name};
  task.timeout = 5s;
  return task;
}

SqlResult sql_error(const std::string& sqlstate, const std::string& message)
{
  SqlResult r;
  r.outcome = SqlOutcome::sql_error;
  r.sqlstate = sqlstate;
  r.message = message;
  r.server = "host=/run/postgresql port=5432 dbname=app user=app";
  return r;
}

} // namespace

TEST_CASE("run_tasks: a SQL task binds the run context, never splices it")
{
  RunnerFixture f;
  const Task task = sql_task("release");
  f.run({&task}, true);
  REQUIRE(f.sql.requests.size() == 1);
  const SqlRequest& request = f.sql.requests[0];
  CHECK(request.database == "main");
  CHECK(request.statements == task.sql);
  CHECK(request.params == std::vector<std::optional<std::string>>{
                              "2025-01-27", "0123456789abcdef0123456789abcdef", "release", "true"});
  CHECK(request.rollback);
  CHECK(request.timeout == 5min);
  CHECK(request.application_name == "periodic_tasks release 01234567");
  CHECK(request.settings == std::vector<std::pair<std::string, std::string>>{
                                {"periodic_tasks.as_of", "2025-01-27"},
                                {"periodic_tasks.run_id", "0123456789abcdef0123456789abcdef"},
                                {"periodic_tasks.task", "release"},
                                {"periodic_tasks.dry_run", "true"},
                                {"periodic_tasks.slot", ""}});
}

TEST_CASE("run_tasks: a SQL task binds slot as the slot's UTC text, or NULL without a slot")
{
  RunnerFixture f;
  Task task = sql_task("release");
  task.params = {"slot", "as_of"};
  f.run({&task}, false);
  REQUIRE(f.sql.requests.size() == 1);
  CHECK(f.sql.requests[0].params ==
        std::vector<std::optional<std::string>>{std::nullopt, "2025-01-27"});
  RunRequest request{{&task}, RunContext{"0123456789abcdef0123456789abcdef", "2026-12-07"}};
  request.context.slot = "2026-12-07T07:00:00Z";
  run_tasks(f.settings, request, f.deps);
  REQUIRE(f.sql.requests.size() == 2);
  CHECK(f.sql.requests[1].params ==
        std::vector<std::optional<std::string>>{"2026-12-07T07:00:00Z", "2026-12-07"});
  CHECK(f.sql.requests[1].settings.back() ==
        std::pair<std::string, std::string>{"periodic_tasks.slot", "2026-12-07T07:00:00Z"});
}

TEST_CASE("run_tasks: SQL success reports rows affected and previews returned rows")
{
  RunnerFixture f;
  const Task task = sql_task("release");
  SqlResult ok;
  ok.rows_affected = 3;
  ok.rows_returned = 12;
  ok.columns = {"lot", "amount"};
  ok.preview = {{"1", "10.00"}, {"2", "NULL"}};
  ok.server = "host=/run/postgresql port=5432 dbname=app user=app";
  ok.duration = 40ms;
  f.sql.results = {ok};

  const auto summary = f.run({&task});

  const TaskOutcome& outcome = summary.tasks.at(0);
  CHECK(outcome.result == TaskResult::success);
  CHECK(outcome.kind == TaskKind::sql);
  CHECK(outcome.rows_affected == 3);
  CHECK(outcome.detail == "3 rows affected, 12 rows returned");
  const auto output = f.log.with_id(message_id::task_output);
  REQUIRE(output.size() == 4);
  CHECK(output[0].message == "lot | amount");
  CHECK(output[2].message == "2 | NULL");
  CHECK(output[3].message == "(12 rows, first 2 shown)");
  const auto done = f.log.with_id(message_id::task_succeeded);
  REQUIRE(done.size() == 1);
  CHECK(done[0].field("TASK_KIND") == "sql");
  CHECK(done[0].field("ROWS_AFFECTED") == "3");
  CHECK(done[0].field("ROWS_RETURNED") == "12");
  CHECK(done[0].field("DB_SERVER") == "host=/run/postgresql port=5432 dbname=app user=app");
  CHECK(done[0].field("ATTEMPT") == "1");
}

TEST_CASE("run_tasks: a SQL error is a failed task with SQLSTATE and the next task still runs")
{
  RunnerFixture f;
  const Task bad = sql_task("bad");
  const Task next = command_task("next");
  SqlResult error =
      sql_error("23505", "duplicate key value violates unique constraint \"lots_pkey\"");
  error.detail = "Key (id)=(1) already exists.";
  f.sql.results = {error};

  const auto summary = f.run({&bad, &next});

  CHECK(summary.tasks[0].result == TaskResult::failed);
  CHECK(summary.tasks[0].detail ==
        "failed: SQLSTATE 23505: duplicate key value violates unique "
        "constraint \"lots_pkey\" (detail: Key (id)=(1) already exists.)");
  CHECK(summary.tasks[1].result == TaskResult::success);
  CHECK(exit_code_for(summary) == 1);
  const auto failed = f.log.with_id(message_id::task_failed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].field("SQLSTATE") == "23505");
  CHECK(failed[0].field("DB_ERROR") ==
        "duplicate key value violates unique constraint \"lots_pkey\"");
  CHECK(failed[0].field("DB_DETAIL") == "Key (id)=(1) already exists.");
  CHECK(failed[0].priority == Priority::err);
  CHECK(f.sql.requests.size() == 1); // not retryable, retries = 0
}

TEST_CASE("run_tasks: a SQL error names the failed statement and where in a function it failed")
{
  RunnerFixture f;
  Task task = sql_task("release");
  SqlResult error = sql_error("P0001", "lot 7 is not matured");
  error.failed_statement = 2;
  error.context = "PL/pgSQL function release_lot(integer) line 5 at RAISE";

  SUBCASE("several statements: the detail, journal and JSON say which")
  {
    task.sql.push_back("ANALYZE lots");
    f.sql.results = {error};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].detail ==
          "failed: statement 2 of 3: SQLSTATE P0001: lot 7 is not matured");
    CHECK(summary.tasks[0].failed_statement == 2);
    CHECK(summary.tasks[0].db_context == "PL/pgSQL function release_lot(integer) line 5 at RAISE");
    const auto failed = f.log.with_id(message_id::task_failed);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].field("DB_STATEMENT") == "2");
    CHECK(failed[0].field("DB_CONTEXT") ==
          "PL/pgSQL function release_lot(integer) line 5 at RAISE");
  }
  SUBCASE("one statement: no index in the detail")
  {
    task.sql = {"SELECT release_lot(7)"};
    error.failed_statement = 1;
    f.sql.results = {error};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].detail == "failed: SQLSTATE P0001: lot 7 is not matured");
    CHECK(summary.tasks[0].failed_statement == 1);
  }
  SUBCASE("no statement failed: no DB_STATEMENT, no DB_CONTEXT")
  {
    f.sql.results = {sql_error("23505", "duplicate key value")};
    f.run({&task});
    const auto failed = f.log.with_id(message_id::task_failed);
    REQUIRE(failed.size() == 1);
    for (const auto& field : failed[0].fields) {
      CHECK(field.name != "DB_STATEMENT");
      CHECK(field.name != "DB_CONTEXT");
    }
  }
}

TEST_CASE("run_tasks: SQL timeout, connection failure and interruption")
{
  RunnerFixture f;
  const Task task = sql_task("t");
  SqlResult r;
  SUBCASE("timeout")
  {
    r.outcome = SqlOutcome::timeout;
    r.sqlstate = "57014";
    f.sql.results = {r};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].result == TaskResult::timeout);
    CHECK(summary.tasks[0].detail == "timed out after 5min (SQLSTATE 57014)");
  }
  SUBCASE("connection failure")
  {
    r.outcome = SqlOutcome::connection_failed;
    r.message = "cannot connect to host=/tmp port=1 dbname=app user=app: connection refused";
    f.sql.results = {r};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].result == TaskResult::error);
    const auto records = f.log.with_id(message_id::task_error);
    REQUIRE(records.size() == 1);
    CHECK(records[0].message == "task \"t\" could not start: cannot connect to host=/tmp port=1 "
                                "dbname=app user=app: connection refused");
  }
  SUBCASE("interrupted")
  {
    r.outcome = SqlOutcome::interrupted;
    r.signal = SIGTERM;
    f.sql.results = {r};
    f.stop.signal = 0;
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].result == TaskResult::killed);
    CHECK(summary.tasks[0].detail == "stopped by SIGTERM to the runner; cancelled and rolled back");
  }
}

TEST_CASE("run_tasks: SQL retries only retryable failures, waiting longer each time")
{
  RunnerFixture f;
  Task task = sql_task("t");
  task.retries = 3;
  task.retry_delay = 30s;

  SUBCASE("deadlock, deadlock, then success")
  {
    SqlResult ok;
    ok.rows_affected = 1;
    f.sql.results = {sql_error("40P01", "deadlock detected"),
                     sql_error("40P01", "deadlock detected"), ok};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].result == TaskResult::success);
    CHECK(summary.tasks[0].attempts == 3);
    CHECK(f.delay.waits == std::vector<Duration>{30s, 60s});
    const auto retries = f.log.with_id(message_id::task_retry);
    REQUIRE(retries.size() == 2);
    CHECK(retries[0].message == "task \"t\" attempt 1 of 4 failed: SQLSTATE 40P01: deadlock "
                                "detected; retrying in 30s");
    CHECK(retries[0].field("SQLSTATE") == "40P01");
    CHECK(retries[1].field("ATTEMPT") == "2");
    CHECK(f.log.with_id(message_id::task_succeeded)[0].field("ATTEMPT") == "3");
  }
  SUBCASE("a syntax error is not retried")
  {
    f.sql.results = {sql_error("42601", "syntax error at or near \"SELEC\"")};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].attempts == 1);
    CHECK(f.delay.waits.empty());
  }
  SUBCASE("gives up after the last retry")
  {
    f.sql.results = {sql_error("55P03", "could not obtain lock on row")};
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].result == TaskResult::failed);
    CHECK(summary.tasks[0].attempts == 4);
    CHECK(f.delay.waits == std::vector<Duration>{30s, 60s, 120s});
  }
  SUBCASE("a stop request during the wait ends the retries")
  {
    f.sql.results = {sql_error("40001", "could not serialize access")};
    f.delay.stop_after = 0;
    const auto summary = f.run({&task});
    CHECK(summary.tasks[0].attempts == 1);
    CHECK(f.sql.requests.size() == 1);
  }
}

TEST_CASE("run_tasks: commands retry on retry_exit_codes only")
{
  RunnerFixture f;
  Task task = command_task("flaky");
  task.retries = 2;
  task.retry_delay = 1s;
  task.retry_exit_codes = {75};
  ProcessResult busy;
  busy.exit_status = 75;
  f.processes.scripts["/bin/flaky"] = {busy, {}, {}};

  auto summary = f.run({&task});
  CHECK(summary.tasks[0].result == TaskResult::failed);
  CHECK(summary.tasks[0].attempts == 3);
  CHECK(f.processes.specs.size() == 3);
  CHECK(f.delay.waits == std::vector<Duration>{1s, 2s});

  ProcessResult other;
  other.exit_status = 1;
  f.processes.scripts["/bin/flaky"] = {other, {}, {}};
  f.processes.specs.clear();
  summary = f.run({&task});
  CHECK(summary.tasks[0].attempts == 1);
  CHECK(f.processes.specs.size() == 1);
}
