// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "postgres/sql.hpp"

using namespace pt;

namespace {

SqlResult result(SqlOutcome outcome, std::string sqlstate = {})
{
  SqlResult r;
  r.outcome = outcome;
  r.sqlstate = std::move(sqlstate);
  return r;
}

} // namespace

TEST_CASE("is_retryable: transactions that lost a race")
{
  CHECK(is_retryable(result(SqlOutcome::sql_error, "40001")));
  CHECK(is_retryable(result(SqlOutcome::sql_error, "40P01")));
  CHECK(is_retryable(result(SqlOutcome::sql_error, "55P03")));
}

TEST_CASE("is_retryable: connection class 08 and failed connections")
{
  CHECK(is_retryable(result(SqlOutcome::sql_error, "08006")));
  CHECK(is_retryable(result(SqlOutcome::sql_error, "08000")));
  CHECK(is_retryable(result(SqlOutcome::connection_failed)));
  CHECK(is_retryable(result(SqlOutcome::connection_failed, "57P01")));
}

TEST_CASE("is_retryable: not statements the server refused, timeouts or stops")
{
  CHECK_FALSE(is_retryable(result(SqlOutcome::success)));
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error, "42601")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error, "23505")));
  CHECK_FALSE(
      is_retryable(result(SqlOutcome::sql_error, "40002"))); // integrity violation at COMMIT
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error, "57014")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error, "08")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error)));
  CHECK_FALSE(is_retryable(result(SqlOutcome::timeout, "57014")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::interrupted, "57014")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::timeout, "40001")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::refused))); // transaction control: fix the task
}

TEST_CASE("is_retryable: never a connection that broke during COMMIT (08007)")
{
  CHECK_FALSE(is_retryable(result(SqlOutcome::connection_failed, "08007")));
  CHECK_FALSE(is_retryable(result(SqlOutcome::sql_error, "08007")));
  CHECK(is_retryable(result(SqlOutcome::connection_failed, "08006")));
}

TEST_CASE("is_retryable: never a permanent failure")
{
  auto failed = result(SqlOutcome::connection_failed);
  failed.permanent = true;
  CHECK_FALSE(is_retryable(failed));
  auto refused = result(SqlOutcome::sql_error, "40001");
  refused.permanent = true;
  CHECK_FALSE(is_retryable(refused));
}
