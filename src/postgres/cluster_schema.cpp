// SPDX-License-Identifier: MIT
// The cluster claim store's schema as text (cluster mode,
// docs/cluster.md). A migration is never edited once released: a change to the
// tables is a new version appended to k_migrations.
//
// Why the tables look as they do:
// - tasks gives each task name a small id from an identity column, the second
//   key of the task's advisory lock: unlike a hash of the name, two task names
//   can never share a lock.
// - claims holds one row per (task, slot); the primary key is what makes a
//   slot run once. attempt counts takeovers and fences a late holder: every
//   heartbeat and finish names the attempt it holds.
// - watermarks records, per task, the newest slot whose claim was pruned, so
//   pruned slots still count as done.
// - mark_done is the done mark a SQL task's transaction ends with: it raises
//   (SQLSTATE PTF01, k_fenced_sqlstate) instead of changing nothing when the
//   attempt no longer holds the claim, so a fenced task's effects can never
//   commit without the mark.
#include "postgres/cluster_schema.hpp"

#include <array>

#include <fmt/format.h>

namespace pt {
namespace {

constexpr std::string_view k_v1 = R"sql(CREATE TABLE periodic_tasks.tasks (
    task text PRIMARY KEY,
    id int GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE TABLE periodic_tasks.claims (
    task text NOT NULL,
    slot timestamptz NOT NULL,
    attempt int NOT NULL,
    state text NOT NULL CHECK (state IN ('running', 'done')),
    result text,
    host text NOT NULL,
    boot_id text NOT NULL,
    pid int NOT NULL,
    run_id text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (task, slot)
);
CREATE INDEX claims_done ON periodic_tasks.claims (finished_at) WHERE state = 'done';
CREATE TABLE periodic_tasks.watermarks (
    task text PRIMARY KEY,
    pruned_through timestamptz NOT NULL
);
CREATE FUNCTION periodic_tasks.mark_done(p_task text, p_slot timestamptz, p_attempt int,
                                         p_result text) RETURNS void
LANGUAGE plpgsql AS $mark$
BEGIN
    UPDATE periodic_tasks.claims SET state = 'done', result = p_result, finished_at = now()
    WHERE task = p_task AND slot = p_slot AND attempt = p_attempt AND state = 'running';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the claim of task "%" for slot % is no longer attempt %', p_task,
            to_char(p_slot AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), p_attempt
            USING ERRCODE = 'PTF01',
                  HINT = 'another host took the slot over or finished it; this run''s '
                         'effects are rolled back';
    END IF;
END
$mark$;)sql";

constexpr std::array k_migrations{
    ClusterMigration{1, "tasks, claims and watermarks", k_v1},
};

} // namespace

std::span<const ClusterMigration> cluster_migrations()
{
  return k_migrations;
}

int cluster_schema_version()
{
  return k_migrations.back().version;
}

std::string cluster_bootstrap_sql()
{
  return R"sql(CREATE SCHEMA IF NOT EXISTS periodic_tasks;
CREATE TABLE IF NOT EXISTS periodic_tasks.schema_version (
    version int PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);)sql";
}

std::string cluster_migration_block(const ClusterMigration& migration)
{
  return fmt::format(R"sql(-- version {0}: {1}
DO $migration$
BEGIN
IF NOT EXISTS (SELECT FROM periodic_tasks.schema_version WHERE version = {0}) THEN
{2}
INSERT INTO periodic_tasks.schema_version (version) VALUES ({0});
END IF;
END
$migration$;)sql",
                     migration.version, migration.summary, migration.sql);
}

std::string cluster_init_sql()
{
  std::string sql = fmt::format(
      "-- The periodic_tasks cluster schema, version {}. Run it as a role that may create\n"
      "-- schemas in this database; it applies only the versions still missing.\n"
      "BEGIN;\n"
      "SELECT pg_advisory_xact_lock({}, {});\n{}\n",
      cluster_schema_version(), k_cluster_lock_namespace, k_cluster_migration_lock_key,
      cluster_bootstrap_sql());
  for (const auto& migration : k_migrations) {
    sql += cluster_migration_block(migration);
    sql += '\n';
  }
  sql += "COMMIT;\n";
  return sql;
}

std::string_view cluster_finish_sql()
{
  return "UPDATE periodic_tasks.claims SET state = 'done', result = $4, finished_at = now() "
         "WHERE task = $1 AND slot = $2::timestamptz AND attempt = $3::int AND state = 'running'";
}

std::string_view cluster_done_mark_sql()
{
  return "SELECT periodic_tasks.mark_done($1, $2::timestamptz, $3::int, $4)";
}

} // namespace pt
