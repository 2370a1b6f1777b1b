// SPDX-License-Identifier: MIT
#include <string>

#include <doctest/doctest.h>

#include "postgres/cluster_schema.hpp"

using namespace pt;

namespace {

bool contains(const std::string& text, std::string_view needle)
{
  return text.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("cluster_migrations: ordered, contiguous from 1, the last is the known version")
{
  const auto migrations = cluster_migrations();
  REQUIRE(!migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
    CHECK(!migrations[i].summary.empty());
    CHECK(!migrations[i].sql.empty());
  }
  CHECK(cluster_schema_version() == migrations.back().version);
}

TEST_CASE("cluster_migrations: version 1 creates the tables of the claim protocol")
{
  const std::string v1(cluster_migrations()[0].sql);
  CHECK(contains(v1, "CREATE TABLE periodic_tasks.tasks (\n"
                     "    task text PRIMARY KEY,\n"
                     "    id int GENERATED ALWAYS AS IDENTITY UNIQUE\n);"));
  CHECK(contains(v1, "state text NOT NULL CHECK (state IN ('running', 'done'))"));
  CHECK(contains(v1, "lease_until timestamptz NOT NULL,"));
  CHECK(contains(v1, "PRIMARY KEY (task, slot)"));
  CHECK(contains(v1, "CREATE TABLE periodic_tasks.watermarks (\n"
                     "    task text PRIMARY KEY,\n"
                     "    pruned_through timestamptz NOT NULL\n);"));
  // No transaction control: a migration runs inside the init SQL's transaction
  // (mark_done's BEGIN ... END is a PL/pgSQL block, not a transaction).
  CHECK(!contains(v1, "BEGIN;"));
  CHECK(!contains(v1, "COMMIT"));
  CHECK(!contains(v1, "ROLLBACK"));
}

TEST_CASE("cluster_migration_block: applies a version only when it is missing, and records it")
{
  const auto block = cluster_migration_block({7, "a summary", "CREATE TABLE periodic_tasks.x ();"});
  CHECK(block ==
        "-- version 7: a summary\n"
        "DO $migration$\n"
        "BEGIN\n"
        "IF NOT EXISTS (SELECT FROM periodic_tasks.schema_version WHERE version = 7) THEN\n"
        "CREATE TABLE periodic_tasks.x ();\n"
        "INSERT INTO periodic_tasks.schema_version (version) VALUES (7);\n"
        "END IF;\n"
        "END\n"
        "$migration$;");
}

TEST_CASE("cluster_init_sql: one transaction under the migration lock, with the bookkeeping")
{
  const auto sql = cluster_init_sql();
  const auto begin = sql.find("\nBEGIN;\n");
  const auto lock = sql.find("SELECT pg_advisory_xact_lock(1347703627, 0);");
  const auto schema = sql.find("CREATE SCHEMA IF NOT EXISTS periodic_tasks;");
  const auto versions = sql.find("CREATE TABLE IF NOT EXISTS periodic_tasks.schema_version (\n"
                                 "    version int PRIMARY KEY,\n"
                                 "    applied_at timestamptz NOT NULL DEFAULT now()\n);");
  const auto v1 = sql.find("INSERT INTO periodic_tasks.schema_version (version) VALUES (1);");
  const auto commit = sql.rfind("COMMIT;\n");
  REQUIRE(begin != std::string::npos);
  REQUIRE(lock != std::string::npos);
  REQUIRE(schema != std::string::npos);
  REQUIRE(versions != std::string::npos);
  REQUIRE(v1 != std::string::npos);
  REQUIRE(commit != std::string::npos);
  CHECK(begin < lock);
  CHECK(lock < schema);
  CHECK(schema < versions);
  CHECK(versions < v1);
  CHECK(v1 < commit);
  CHECK(commit + 8 == sql.size());
  for (const auto& migration : cluster_migrations()) {
    CHECK(contains(sql, cluster_migration_block(migration)));
  }
  CHECK(contains(sql, "-- The periodic_tasks cluster schema, version 1."));
}

TEST_CASE("cluster_finish_sql: fenced by the attempt and the running state")
{
  CHECK(cluster_finish_sql() ==
        "UPDATE periodic_tasks.claims SET state = 'done', result = $4, finished_at = now() "
        "WHERE task = $1 AND slot = $2::timestamptz AND attempt = $3::int AND state = 'running'");
}

TEST_CASE("cluster_done_mark_sql: mark_done, which raises PTF01 when fenced")
{
  CHECK(cluster_done_mark_sql() ==
        "SELECT periodic_tasks.mark_done($1, $2::timestamptz, $3::int, $4)");
  const std::string v1(cluster_migrations().front().sql);
  CHECK(contains(v1, "WHERE task = p_task AND slot = p_slot AND attempt = p_attempt AND "
                     "state = 'running';\n    IF NOT FOUND THEN"));
  CHECK(contains(v1, "USING ERRCODE = 'PTF01'"));
  CHECK(k_fenced_sqlstate == "PTF01");
}

TEST_CASE("k_cluster_lock_namespace: \"PTSK\", apart from every task id")
{
  CHECK(k_cluster_lock_namespace == 1347703627);
  CHECK(k_cluster_migration_lock_key == 0); // task ids come from an identity, from 1 up
}
