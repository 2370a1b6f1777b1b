#!/bin/bash
# SPDX-License-Identifier: MIT
# --dry-run really executes a SQL task's statements and reports their rows
# affected, then rolls back: the row counts psql sees do not change.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE t (id int PRIMARY KEY)"
pg_app_sql "INSERT INTO t SELECT g FROM generate_series(1, 5) g"
pg_app_sql "CREATE TABLE audit (msg text)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "purge"
sql = ["DELETE FROM t WHERE id <= 3", "INSERT INTO audit VALUES ('purged')"]
timeout = "20s"
TOML
before="$(pg_app_sql 'SELECT count(*) FROM t')/$(pg_app_sql 'SELECT count(*) FROM audit')"
assert_eq "5/0" "$before" "rows before"
run_pt --config "$CFG" --dry-run --json
assert_rc 0
assert_eq true "$(json_get '.dry_run')" "dry_run"
p='.tasks[0]'
assert_eq success "$(json_get "$p.result")" "result"
assert_eq 4 "$(json_get "$p.rows_affected")" "rows_affected (3 deleted + 1 inserted)"
assert_eq "4 rows affected, rolled back (dry run)" "$(json_get "$p.detail")" "detail"
after="$(pg_app_sql 'SELECT count(*) FROM t')/$(pg_app_sql 'SELECT count(*) FROM audit')"
assert_eq "$before" "$after" "rows after the dry run"
