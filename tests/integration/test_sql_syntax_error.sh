#!/bin/bash
# SPDX-License-Identifier: MIT
# A syntax error fails its task with SQLSTATE 42601 and the server's
# message; the next task still runs and commits, and the run exits 1.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE t (id int)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "broken"
sql = "SELEC 1"
timeout = "20s"

[[task]]
name = "after"
sql = "INSERT INTO t VALUES (1), (2)"
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 1
assert_eq 1 "$(json_get '.exit_code')" "exit_code"
b='.tasks[] | select(.name == "broken")'
assert_eq failed "$(json_get "$b | .result")" "result of broken"
assert_eq 42601 "$(json_get "$b | .sqlstate")" "sqlstate"
assert_contains "$(json_get "$b | .db_error")" 'syntax error at or near "SELEC"' "db_error"
assert_eq null "$(json_get "$b | .rows_affected")" "rows_affected of a failure"
assert_match "$(json_get "$b | .detail")" '^failed: SQLSTATE 42601: syntax error at or near "SELEC"' "detail"
a='.tasks[] | select(.name == "after")'
assert_eq success "$(json_get "$a | .result")" "result of after"
assert_eq 2 "$(json_get "$a | .rows_affected")" "rows_affected of after"
assert_eq 2 "$(pg_app_sql 'SELECT count(*) FROM t')" "rows committed by after"
assert_file_contains "$T/stderr" "SQLSTATE=42601"
