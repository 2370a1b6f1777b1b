#!/bin/bash
# SPDX-License-Identifier: MIT
# A row lock held by another session for ~2.5 s makes attempt 1 fail with
# "lock not available" (55P03, lock_timeout set in the task's SQL); with
# retries = 3 and retry_delay = "1s" a later attempt succeeds, each failed
# attempt is logged, and the summary counts the attempts.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE r (id int PRIMARY KEY, v int NOT NULL)"
pg_app_sql "INSERT INTO r VALUES (1, 0)"

psql "$PT_PG_APP_CONNINFO application_name=pt-holder" -X -q -v ON_ERROR_STOP=1 \
    -c "BEGIN; SELECT * FROM r WHERE id = 1 FOR UPDATE; SELECT pg_sleep(2.5); COMMIT" \
    >/dev/null 2>"$T/holder.err" &
holder=$!
BG_PIDS+=("$holder")
for ((i = 0; i < 200; i++)); do
    [[ $(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pt-holder' AND wait_event = 'PgSleep'") == 1 ]] && break
    sleep 0.02
done
((i < 200)) || fail "the lock holder did not start: $(cat "$T/holder.err")"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "bump"
sql = ["SET LOCAL lock_timeout = '300ms'", "UPDATE r SET v = v + 1 WHERE id = 1"]
timeout = "20s"
retries = 3
retry_delay = "1s"
TOML
run_pt --config "$CFG" --json
wait_for_exit "$holder" 10
assert_eq 0 "$WAIT_RC" "the lock holder's exit status"
assert_rc 0
b='.tasks[0]'
assert_eq success "$(json_get "$b.result")" "result"
attempts=$(json_get "$b.attempts")
((attempts >= 2 && attempts <= 4)) || fail "attempts: expected 2..4, got $attempts"
assert_eq 1 "$(json_get "$b.rows_affected")" "rows_affected"
assert_eq 1 "$(pg_app_sql 'SELECT v FROM r WHERE id = 1')" "v (updated exactly once)"
assert_file_contains "$T/stderr" 'task "bump" attempt 1 of 4 failed: '
assert_file_contains "$T/stderr" '; retrying in 1s'
assert_file_contains "$T/stderr" 'SQLSTATE=55P03'
assert_file_contains "$T/stderr" 'ATTEMPT=1'
