#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM during a statement: the PostgreSQL edge cancels it on the server,
# rolls back and reports "interrupted" at once; nothing keeps running in
# pg_stat_activity, even while the connection is still open.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
pg_start
pg_app_sql "CREATE TABLE t (id int)"

state_of_app() {
    pg_sql "SELECT coalesce(string_agg(state, ','), 'none') FROM pg_stat_activity WHERE application_name = 'pt-sigterm'"
}

# The --sh step runs after the interrupted request, while the probe's
# connection is still open: it must be idle by then.
"$PT_PG_PROBE" --conninfo "$PT_PG_APP_CONNINFO" --application-name pt-sigterm \
    --sql "INSERT INTO t VALUES (1)" --sql "SELECT pg_sleep(30)" \
    --sh "psql '$PT_PG_CONNINFO' -X -q -A -t -c \"SELECT state FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = 'app'\" >'$T/state-after'" \
    >"$T/stdout" 2>"$T/stderr" &
probe=$!
BG_PIDS+=("$probe")
for ((i = 0; i < 200; i++)); do
    [[ $(state_of_app) == active ]] && break
    sleep 0.05
done
assert_eq active "$(state_of_app)" "the sleeping statement"
started=${EPOCHREALTIME/./}
kill -TERM "$probe"
wait_for_exit "$probe" 10
stop_ms=$(((${EPOCHREALTIME/./} - started) / 1000))
assert_eq 143 "$WAIT_RC" "exit status"
assert_eq interrupted "$(probe_get 0 .outcome)" "outcome"
assert_eq "interrupted by SIGTERM; canceled and rolled back" "$(probe_get 0 .message)" "message"
assert_eq idle "$(cat "$T/state-after")" "the connection after the stop"
assert_eq 0 "$(pg_app_sql 'SELECT count(*) FROM t')" "rows (rolled back)"
assert_eq none "$(state_of_app)" "backends after the exit"
((stop_ms < 3000)) || fail "the probe took ${stop_ms}ms to stop"
echo "SIGTERM to exit: ${stop_ms}ms" >&2
