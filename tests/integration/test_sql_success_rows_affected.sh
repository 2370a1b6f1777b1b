#!/bin/bash
# SPDX-License-Identifier: MIT
# A SQL task that updates rows succeeds, commits, and reports the rows it
# affected in the JSON summary; psql sees the committed change.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE items (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false)"
pg_app_sql "INSERT INTO items SELECT g FROM generate_series(1, 5) g"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "mark-done"
sql = "UPDATE items SET done = true WHERE id <= 3"
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 0
t='.tasks[0]'
assert_eq sql "$(json_get "$t.kind")" "kind"
assert_eq success "$(json_get "$t.result")" "result"
assert_eq 3 "$(json_get "$t.rows_affected")" "rows_affected"
assert_eq "3 rows affected" "$(json_get "$t.detail")" "detail"
assert_eq main "$(json_get "$t.database")" "database"
assert_eq 1 "$(json_get "$t.attempts")" "attempts"
assert_eq null "$(json_get "$t.sqlstate")" "sqlstate"
assert_eq 0 "$(json_get '.exit_code')" "exit_code"
assert_eq 3 "$(pg_app_sql 'SELECT count(*) FROM items WHERE done')" "committed rows (psql)"
assert_file_contains "$T/stderr" "ROWS_AFFECTED=3"
