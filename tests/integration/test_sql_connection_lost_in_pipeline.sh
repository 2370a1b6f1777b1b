#!/bin/bash
# SPDX-License-Identifier: MIT
# A task's COMMIT travels with its statements (one pipeline), so a connection
# that breaks while a statement runs, with no error from the server, may
# have committed: the task fails with SQLSTATE 08007 ("may have committed")
# and is never retried. A session the server itself ends (pg_terminate_backend)
# answers with its FATAL first: then nothing committed, and the task is
# retried as any lost connection is.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/proxy.sh"
require_jq
require_no_journal
pg_start
proxy_start net --target "127.0.0.1:$PT_PG_PORT"
pg_app_sql "CREATE SEQUENCE s"
pg_app_sql "CREATE TABLE t (n int)"
db=$(pg_database_via_proxy_toml net "connect_timeout=5")

# wait_for_sleep: waits until the task's pg_sleep runs on the server.
wait_for_sleep() {
    local deadline=$((SECONDS + 20))
    until [[ $(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(CASE%' AND pid <> pg_backend_pid()") == 1 ]]; do
        ((SECONDS < deadline)) || fail "the task's statement never ran"
        sleep 0.05
    done
}

# Attempt 1 sleeps (the sequence is not transactional), a retry does not.
make_config <<TOML
$db

[[task]]
name = "slow"
sql = ["INSERT INTO t VALUES (1)", "SELECT pg_sleep(CASE WHEN nextval('s') = 1 THEN 30 ELSE 0 END)"]
timeout = "60s"
retries = 2
retry_delay = "1s"
TOML

# 1. The network resets the connection mid-statement: in doubt, no retry.
start_runner_nowait
wait_for_sleep
dropped=$(proxy_send net drop)
[[ $dropped =~ ^dropped\ [1-9] ]] || fail "the proxy closed no connection: $dropped"
wait_runner 30
assert_rc 1
b='.tasks[0]'
assert_eq error "$(json_get "$b.result")" "result after a reset (connection lost)"
assert_eq 08007 "$(json_get "$b.sqlstate")" "sqlstate after a reset"
assert_contains "$(json_get "$b.detail")" "may have committed" "detail after a reset"
assert_eq 1 "$(json_get "$b.attempts")" "attempts after a reset (never retried)"
pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' AND pid <> pg_backend_pid()" >/dev/null

# 2. The server ends the session mid-statement: its FATAL says nothing committed.
pg_app_sql "SELECT setval('s', 1, false)" >/dev/null
pg_app_sql "TRUNCATE t"
start_runner_nowait
wait_for_sleep
pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(CASE%' AND pid <> pg_backend_pid()" >/dev/null
wait_runner 30
assert_rc 0
assert_eq success "$(json_get "$b.result")" "result after the server ended the session"
assert_eq 2 "$(json_get "$b.attempts")" "attempts after the server ended the session"
assert_file_contains "$T/stderr" "SQLSTATE=57P01"
assert_eq 1 "$(pg_app_sql 'SELECT count(*) FROM t')" "rows: the retry's only"
echo PASS
