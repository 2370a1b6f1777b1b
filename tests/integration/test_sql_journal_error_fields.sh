#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald, a failed SQL task's record carries SQLSTATE= and
# DB_ERROR= (and TASK_KIND=sql, TASK_RESULT=failed, PRIORITY 3); a
# successful one carries ROWS_AFFECTED=.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
. "$(dirname "$0")/pg.sh"
require_jq

body() {
    pg_start
    pg_app_sql "CREATE TABLE u (id int PRIMARY KEY)"
    pg_app_sql "INSERT INTO u VALUES (1)"
    make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "dup"
sql = "INSERT INTO u VALUES (1)"
timeout = "20s"

[[task]]
name = "ok"
sql = "INSERT INTO u VALUES (2), (3)"
timeout = "20s"
TOML
    run_pt --config "$CFG" --json
}
with_private_journal body
assert_rc 1

journal_records TASK=dup >"$T/dup.json"
failed='.[] | select(.TASK_RESULT == "failed")'
assert_eq 1 "$(json_get "[$failed] | length" "$T/dup.json")" "records with TASK_RESULT=failed"
assert_eq 23505 "$(json_get "$failed | .SQLSTATE" "$T/dup.json")" "SQLSTATE"
assert_contains "$(json_get "$failed | .DB_ERROR" "$T/dup.json")" "duplicate key value violates unique constraint" "DB_ERROR"
assert_eq sql "$(json_get "$failed | .TASK_KIND" "$T/dup.json")" "TASK_KIND"
assert_eq 3 "$(json_get "$failed | .PRIORITY" "$T/dup.json")" "PRIORITY"

journal_records TASK=ok >"$T/ok.json"
ok='.[] | select(.TASK_RESULT == "success")'
assert_eq 2 "$(json_get "$ok | .ROWS_AFFECTED" "$T/ok.json")" "ROWS_AFFECTED"
