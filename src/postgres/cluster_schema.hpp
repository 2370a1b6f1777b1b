// SPDX-License-Identifier: MIT
// The cluster claim store's schema as text (cluster mode, issue 13): the
// versioned migrations, the SQL a DBA runs to apply them, and the done mark a
// SQL task's own transaction runs. Pure: no libpq, no server.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pt {

// The schema that holds the cluster's tables.
inline constexpr std::string_view k_cluster_schema = "periodic_tasks";

// The first key of every advisory lock the cluster takes ("PTSK"), so ours
// never meet an application's; the second key is a task's id (from 1 up) for
// a claim, k_cluster_migration_lock_key while migrating.
inline constexpr std::int32_t k_cluster_lock_namespace = 0x5054534B;
inline constexpr std::int32_t k_cluster_migration_lock_key = 0;

// One step of the schema: applied once, in order, inside one transaction.
struct ClusterMigration
{
  int version = 0;
  std::string_view summary; // one line, for the printed SQL
  std::string_view sql;     // statements separated by ";", no transaction control
};

// Returns every migration, oldest first; versions are 1, 2, ... without gaps.
std::span<const ClusterMigration> cluster_migrations();

// Returns the schema version this program knows: the last migration's.
int cluster_schema_version();

// Returns the statements that create the schema and its version table if
// absent, run under the migration lock inside an open transaction.
std::string cluster_bootstrap_sql();

// Returns `migration` as a DO block that applies it and records its version
// only when periodic_tasks.schema_version lacks that version, so running it
// twice changes nothing.
std::string cluster_migration_block(const ClusterMigration& migration);

// Returns the whole SQL a DBA runs to create or update the schema
// (`periodic_tasks cluster init --print`): BEGIN, the migration lock, the
// bootstrap, each migration's block, COMMIT. Safe to run again.
std::string cluster_init_sql();

// Returns the statement that marks the claim of task $1, slot $2 (RFC 3339
// text), attempt $3 done with result $4, and changes 0 rows when that
// attempt no longer holds the claim (ClusterStore::finish, a command task).
std::string_view cluster_finish_sql();

// The SQLSTATE of a done mark whose attempt no longer holds the claim.
inline constexpr std::string_view k_fenced_sqlstate = "PTF01";

// Returns the statement a SQL task's own transaction runs last, so that the
// claim's done mark commits (or rolls back) with the task's effects: the same
// parameters as cluster_finish_sql(), but a fenced attempt raises
// k_fenced_sqlstate, which aborts the task's transaction: its effects never
// commit without the mark.
std::string_view cluster_done_mark_sql();

} // namespace pt
