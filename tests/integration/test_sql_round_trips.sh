#!/bin/bash
# SPDX-License-Identifier: MIT
# A SQL task costs one round trip on a connection it reuses: BEGIN, the
# settings, its commands, COMMIT and DISCARD ALL travel in one pipeline
# (postgres/executor.cpp). Counted by the test proxy (tests/helpers/tcp_proxy.py),
# a fact, not a time: 1 SQL task, then 21 (one with two statements and three
# commands, one binding params), and the difference is 20 round trips; a dry
# run (ROLLBACK for COMMIT) costs what a run does. A connection left idle over a second (a
# command task ran in between) has its BEGIN confirmed alone first: 2. A
# failing statement aborts the pipeline and is rolled back: the error,
# SQLSTATE and statement number are its own, nothing of the task commits,
# and the next task runs on the same connection.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/proxy.sh"
require_jq
require_no_journal
pg_start
proxy_start net --target "127.0.0.1:$PT_PG_PORT"
pg_app_sql "CREATE TABLE t (id int PRIMARY KEY, v text)"
db=$(pg_database_via_proxy_toml net)

# run_counted CONFIG-BODY [ARGS...]: runs the config (run_pt) and sets TRIPS
# to the round trips it made.
run_counted() {
    local before after body=$1
    shift
    before=$(jq -r .round_trips <<<"$(proxy_send net stats)")
    make_config <<<"$db
$body"
    run_pt --config "$CFG" --json "$@"
    after=$(jq -r .round_trips <<<"$(proxy_send net stats)")
    TRIPS=$((after - before))
}

one='[[task]]
name = "first"
sql = "SELECT 1"'
run_counted "$one"
assert_rc 0
base=$TRIPS
((base >= 3)) || fail "connecting and one task took $base round trips (start-up and authentication take several)"

many=$one
for ((i = 1; i <= 17; i++)); do
    many+="
[[task]]
name = \"select$i\"
sql = \"SELECT $i\""
done
many+='
[[task]]
name = "several"
sql = ["INSERT INTO t VALUES (1, '"'"'a'"'"'); INSERT INTO t VALUES (2, '"'"'b'"'"')", "UPDATE t SET v = v || '"'"'!'"'"'"]
[[task]]
name = "params"
sql = "INSERT INTO t VALUES (3, $1)"
params = ["as_of"]
[[task]]
name = "select18"
sql = "SELECT 18"'
run_counted "$many"
assert_rc 0
total=$TRIPS
for name in several params; do
    assert_eq success "$(json_get ".tasks[] | select(.name == \"$name\") | .result")" "result of $name"
done
assert_eq 4 "$(json_get '.tasks[] | select(.name == "several") | .rows_affected')" "rows of several (1 + 1 + 2)"
assert_eq "3" "$(pg_app_sql 'SELECT count(*) FROM t')" "rows committed"
assert_eq $((base + 20)) "$total" "round trips of 21 SQL tasks (base $base for the first): one per further task"

# A dry run ends in ROLLBACK, in the same round trip.
run_counted "$one" --dry-run
assert_rc 0
assert_eq "$base" "$TRIPS" "round trips of a dry run of one task"

# Idle over a second between two SQL tasks: BEGIN is confirmed first.
idle=$one'
[[task]]
name = "pause"
command = ["/bin/sleep", "1.3"]
[[task]]
name = "after"
sql = "SELECT 2"'
run_counted "$idle"
assert_rc 0
assert_eq $((base + 2)) "$TRIPS" "round trips of a SQL task on a connection idle for 1.3 s"

# A failing command in the middle: the pipeline aborts, the task rolls back.
failing=$one'
[[task]]
name = "broken"
sql = ["INSERT INTO t VALUES (10, '"'"'x'"'"')", "SELECT 1/0", "INSERT INTO t VALUES (11, '"'"'y'"'"')"]
[[task]]
name = "next"
sql = "INSERT INTO t VALUES (12, '"'"'z'"'"')"'
run_counted "$failing"
assert_rc 1
trips=$TRIPS
b='.tasks[] | select(.name == "broken")'
assert_eq failed "$(json_get "$b | .result")" "result of broken"
assert_eq 22012 "$(json_get "$b | .sqlstate")" "sqlstate of broken"
assert_contains "$(json_get "$b | .db_error")" "division by zero" "db_error of broken"
assert_eq 2 "$(json_get "$b | .failed_statement")" "the failed statement"
assert_eq success "$(json_get '.tasks[] | select(.name == "next") | .result')" "result of next"
assert_eq "12" "$(pg_app_sql 'SELECT string_agg(id::text, $$,$$ ORDER BY id) FROM t WHERE id >= 10')" "only the next task's row"
# The failure costs its rollback (ROLLBACK, then DISCARD ALL): 2 more.
assert_eq $((base + 1 + 1 + 2)) "$trips" "round trips with a failing task"
echo PASS
