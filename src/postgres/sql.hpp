// SPDX-License-Identifier: MIT
// The seam between the runner and PostgreSQL: what a SQL task asks, what came of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/duration.hpp"

namespace pt {

// transaction_resolution_unknown: the connection broke after COMMIT was sent.
inline constexpr const char* k_sqlstate_commit_unknown = "08007";

struct SqlRequest
{
  std::string database;                           // a name from [databases.*]
  std::vector<std::string> statements;            // run in order, in one transaction
  std::vector<std::optional<std::string>> params; // bound as $1..$n (text or NULL), never spliced
  // Transaction-local settings, e.g. {"periodic_tasks.as_of", "2025-01-27"}.
  std::vector<std::pair<std::string, std::string>> settings;
  std::string application_name; // shown in pg_stat_activity for this task
  Duration timeout{};           // whole task; k_infinite: none
  bool rollback = false;        // dry run: execute, report, then ROLLBACK
  // Run after the task's statements in the same transaction, in the round
  // trip of COMMIT, and never in a dry run: the cluster's done mark, which
  // commits with the task's effects or aborts them (cluster mode).
  struct Final
  {
    std::string sql;
    std::vector<std::string> params;
  };
  std::optional<Final> final_statement;
  // When readable: cancel and roll back as at the deadline, because the
  // runner no longer holds the task's cluster claim. Negative: none.
  int fence_fd = -1;
};

enum class SqlOutcome {
  success,           // committed (or rolled back on purpose in a dry run)
  sql_error,         // the server refused a statement; rolled back
  timeout,           // the deadline passed; cancelled and rolled back
  connection_failed, // could not connect, or the connection broke
  interrupted,       // the runner was asked to stop; cancelled and rolled back
  refused,           // the task asked for what a task may not do (transaction control); nothing ran
};

struct SqlResult
{
  SqlOutcome outcome = SqlOutcome::success;
  std::int64_t rows_affected = 0;                // sum over statements (INSERT/UPDATE/DELETE/...)
  std::int64_t rows_returned = 0;                // rows of the last statement that returned rows
  std::vector<std::string> columns;              // of that statement
  std::vector<std::vector<std::string>> preview; // its first rows (at most k_preview_rows)
  std::string sqlstate;                          // e.g. "57014"; empty if none
  std::string message;                           // primary message, password redacted
  std::string detail;
  std::string hint;
  std::string context;      // PG_DIAG_CONTEXT (where inside a function it failed)
  int failed_statement = 0; // 1-based index of the statement that failed, 0 if none
  std::string server;       // "host=... port=... dbname=... user=..." (no secrets)
  int signal = 0;           // interrupted: the stop signal the runner received
  // connection_failed that no retry can cure: authentication failed,
  // missing/unreadable password file, invalid conninfo.
  bool permanent = false;
  Duration duration{};
};

inline constexpr std::size_t k_preview_rows = 10;

// Returns true when `result` is worth another attempt: serialization failure
// (40001), deadlock (40P01), lock not available (55P03), connection class 08,
// or a failed/broken connection. Never for a permanent failure, nor for 08007
// (the connection broke after COMMIT was sent: the work may have committed).
bool is_retryable(const SqlResult& result);

class SqlExecutor
{
public:
  virtual ~SqlExecutor() = default;
  // Runs `request` in its own transaction; never throws for anything the server does.
  virtual SqlResult run(const SqlRequest& request) = 0;
};

} // namespace pt
