#!/bin/bash
# SPDX-License-Identifier: MIT
# A SQL task over its timeout is canceled on the server (SQLSTATE 57014)
# within about the timeout, reported "timeout", and its work rolled back.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE t (id int)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "slow"
sql = ["INSERT INTO t VALUES (1)", "SELECT pg_sleep(30)"]
timeout = "1s"
TOML
started=${EPOCHREALTIME/./}
run_pt --config "$CFG" --json
ms=$(((${EPOCHREALTIME/./} - started) / 1000))
assert_rc 1
s='.tasks[0]'
assert_eq timeout "$(json_get "$s.result")" "result"
assert_eq 57014 "$(json_get "$s.sqlstate")" "sqlstate"
assert_eq null "$(json_get "$s.rows_affected")" "rows_affected"
assert_eq "timed out after 1s (SQLSTATE 57014)" "$(json_get "$s.detail")" "detail"
assert_eq 0 "$(pg_app_sql 'SELECT count(*) FROM t')" "rows (rolled back)"
((ms < 5000)) || fail "a 1s timeout took ${ms}ms"
assert_eq "" "$(pg_backends_like 'periodic_tasks slow %')" "backends of the task after the run"
echo "1s timeout: run took ${ms}ms" >&2
