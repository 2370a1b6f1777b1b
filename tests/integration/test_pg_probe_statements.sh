#!/bin/bash
# SPDX-License-Identifier: MIT
# The PostgreSQL edge against a real server, through pg_probe: statements run
# in one transaction with parameters bound and settings visible; rows affected
# and returned are reported; a refused statement is an sql_error with its
# SQLSTATE and rolls back only its own request; a dry run writes nothing.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
pg_start
pg_app_sql "CREATE TABLE lots (id int PRIMARY KEY, released date)"

# Parameters: the first statement uses $1 and $2, the others fewer or none,
# although the request binds three.
run_probe --conninfo "$PT_PG_APP_CONNINFO" --param 5 --param 2025-01-27 --param unused \
    --setting periodic_tasks.as_of=2025-01-27 --application-name "periodic_tasks/vest/r1" \
    --sql 'INSERT INTO lots SELECT g, $2::date FROM generate_series(1, $1::int) g' \
    --sql 'UPDATE lots SET released = NULL WHERE id <= $1::int - 3' \
    --sql "SELECT id, released, current_setting('periodic_tasks.as_of') AS as_of,
                  current_setting('application_name') AS app FROM lots ORDER BY id" \
    --sh "psql '$PT_PG_CONNINFO' -X -q -A -t -c \"SELECT application_name FROM pg_stat_activity WHERE usename = 'app'\" >'$T/app-name-after'"
assert_rc 0
assert_eq success "$(probe_get 0 .outcome)" "outcome"
assert_eq 7 "$(probe_get 0 .rows_affected)" "rows affected (5 inserted, 2 updated)"
assert_eq 5 "$(probe_get 0 .rows_returned)" "rows returned"
assert_eq '["id","released","as_of","app"]' "$(probe_get 0 '.columns | tojson')" "columns"
assert_eq '["1","NULL","2025-01-27","periodic_tasks/vest/r1"]' "$(probe_get 0 '.preview[0] | tojson')" "first row"
assert_eq '["3","2025-01-27","2025-01-27","periodic_tasks/vest/r1"]' "$(probe_get 0 '.preview[2] | tojson')" "third row"
assert_match "$(probe_get 0 .server)" "^host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=app user=app\$" "server"
assert_eq 5 "$(pg_app_sql 'SELECT count(*) FROM lots')" "committed rows"
# The settings were local to the transaction: once it ended, the connection
# shows the fallback name.
assert_eq periodic_tasks "$(cat "$T/app-name-after")" "application_name after the transaction"

# A syntax error, then a constraint violation after a successful statement:
# each rolls back its own request only, on the same connection, and the
# next request still commits.
run_probe --conninfo "$PT_PG_APP_CONNINFO" \
    --sql "SELECT pg_backend_pid()" \
    --then --sql "SELEC 1" \
    --then --sql "INSERT INTO lots VALUES (100, NULL)" --sql "INSERT INTO lots VALUES (1, NULL)" \
    --then --sql "INSERT INTO lots VALUES (101, NULL)" --sql "SELECT pg_backend_pid()"
assert_rc 1
assert_eq sql_error "$(probe_get 1 .outcome)" "syntax error outcome"
assert_eq 42601 "$(probe_get 1 .sqlstate)" "syntax error SQLSTATE"
assert_eq 'syntax error at or near "SELEC"' "$(probe_get 1 .message)" "syntax error message"
assert_eq false "$(probe_get 1 .retryable)" "a syntax error is not retryable"
assert_eq sql_error "$(probe_get 2 .outcome)" "constraint violation outcome"
assert_eq 23505 "$(probe_get 2 .sqlstate)" "constraint violation SQLSTATE"
assert_eq 'Key (id)=(1) already exists.' "$(probe_get 2 .detail)" "constraint violation detail"
assert_eq success "$(probe_get 3 .outcome)" "the request after the failures"
assert_eq "$(probe_get 0 '.preview[0][0]')" "$(probe_get 3 '.preview[0][0]')" "backend pid (one connection)"
assert_eq "" "$(pg_app_sql 'SELECT id FROM lots WHERE id = 100')" "row 100 (rolled back)"
assert_eq 101 "$(pg_app_sql 'SELECT id FROM lots WHERE id = 101')" "row 101 (committed)"

# A dry run executes and reports, then rolls back.
before=$(pg_app_sql 'SELECT count(*) FROM lots')
run_probe --conninfo "$PT_PG_APP_CONNINFO" --rollback \
    --sql "DELETE FROM lots WHERE id > 2; SELECT count(*) AS left FROM lots"
assert_rc 0
assert_eq $((before - 2)) "$(probe_get 0 .rows_affected)" "rows deleted in the dry run"
assert_eq 2 "$(probe_get 0 '.preview[0][0]')" "rows left inside the dry run"
assert_eq "$before" "$(pg_app_sql 'SELECT count(*) FROM lots')" "rows after the dry run"

# A statement using more $n than the request binds is refused before it runs.
run_probe --conninfo "$PT_PG_APP_CONNINFO" --param 1 --sql 'SELECT $1::int + $2::int'
assert_rc 1
assert_eq sql_error "$(probe_get 0 .outcome)" "outcome"
assert_eq 'the statement uses $2 but the task binds only 1 params' "$(probe_get 0 .message)" "message"

# A leading SET TRANSACTION still works: it runs before the settings query.
run_probe --conninfo "$PT_PG_APP_CONNINFO" --setting periodic_tasks.task=rollup \
    --sql "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE" \
    --sql "SELECT current_setting('transaction_isolation'), current_setting('periodic_tasks.task')"
assert_rc 0
assert_eq '["serializable","rollup"]' "$(probe_get 0 '.preview[0] | tojson')" "isolation and setting"

# A lock the task will not wait for is a retryable failure (55P03).
psql "$PT_PG_APP_CONNINFO" -X -q -c "BEGIN" -c "LOCK lots" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null 2>&1 &
BG_PIDS+=("$!")
for ((i = 0; i < 100; i++)); do
    [[ $(pg_sql "SELECT count(*) FROM pg_locks WHERE relation = 'lots'::regclass AND mode = 'AccessExclusiveLock'" app) == 1 ]] && break
    sleep 0.05
done
run_probe --conninfo "$PT_PG_APP_CONNINFO" --sql "SET LOCAL lock_timeout = '100ms'" --sql "DELETE FROM lots"
assert_eq sql_error "$(probe_get 0 .outcome)" "outcome (lock timeout)"
assert_eq 55P03 "$(probe_get 0 .sqlstate)" "SQLSTATE (lock timeout)"
assert_eq true "$(probe_get 0 .retryable)" "a lock timeout is retryable"
