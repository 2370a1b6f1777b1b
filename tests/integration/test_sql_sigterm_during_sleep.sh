#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM to the runner while a SQL task sits in pg_sleep: the query is
# canceled on the server, the task's transaction rolled back, the runner
# exits 143, and no backend of ours is left in pg_stat_activity.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE t (id int)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "sleeper"
sql = ["INSERT INTO t VALUES (1)", "SELECT pg_sleep(30)"]
timeout = "60s"

[[task]]
name = "never"
sql = "INSERT INTO t VALUES (2)"
TOML
"$PT_BIN" --config "$CFG" --json </dev/null >"$T/stdout" 2>"$T/stderr" &
runner=$!
BG_PIDS+=("$runner")
for ((i = 0; i < 250; i++)); do
    [[ $(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'periodic_tasks sleeper %' AND wait_event = 'PgSleep'") == 1 ]] && break
    sleep 0.02
done
((i < 250)) || fail "the task's pg_sleep did not show in pg_stat_activity"
started=${EPOCHREALTIME/./}
kill -TERM "$runner"
wait_for_exit "$runner" 10
ms=$(((${EPOCHREALTIME/./} - started) / 1000))
assert_eq 143 "$WAIT_RC" "exit status"
# Right at the exit, nothing of ours may still be running a query.
assert_eq 0 "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'periodic_tasks %' AND state <> 'idle'")" \
    "non-idle backends of the runner right after its exit"
for ((i = 0; i < 100; i++)); do
    [[ -z $(pg_backends_like 'periodic_tasks %') && -z $(pg_sql "SELECT pid FROM pg_stat_activity WHERE usename = 'app'") ]] && break
    sleep 0.02
done
assert_eq "" "$(pg_sql "SELECT pid || ' ' || state || ' ' || query FROM pg_stat_activity WHERE usename = 'app'")" "app backends 2 s after the exit"
assert_eq 0 "$(pg_app_sql 'SELECT count(*) FROM t')" "rows (rolled back, next task never ran)"
assert_eq SIGTERM "$(json_get '.interrupted_by')" "interrupted_by"
s='.tasks[] | select(.name == "sleeper")'
assert_match "$(json_get "$s | .result")" '^(killed|failed|error|timeout)$' "result of the interrupted task"
assert_eq null "$(json_get "$s | .rows_affected")" "rows_affected of the interrupted task"
assert_contains "$(json_get "$s | .detail")" "SIGTERM" "detail of the interrupted task"
((ms < 3000)) || fail "the runner took ${ms}ms to stop"
echo "SIGTERM to exit: ${ms}ms; sleeper: $(json_get "$s | .result"): $(json_get "$s | .detail")" >&2
