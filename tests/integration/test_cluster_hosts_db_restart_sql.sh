#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with a real runner, a SQL task on the cluster database and a
# database crash: while host A's transaction sleeps after its insert (6 s
# lease), the server restarts with `pg_ctl restart -m immediate`. The crash
# rolls A's transaction back; A's run does not succeed. Whatever A's claim
# then says, later wakes (until the slot is done in the cluster) never make
# the slot's effects appear twice: the ledger holds one row for the slot if
# the claim ended `success` (a rerun, at attempt 2 or later), none otherwise,
# and never A's.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

slot=$(daily_slot 0)
pg_app_sql "CREATE TABLE ledger (slot timestamptz NOT NULL, backend int NOT NULL)"
pg_app_sql "CREATE TABLE sleep_for (seconds float8 NOT NULL); INSERT INTO sleep_for VALUES (30)"
{
    cluster_config_toml 6s
    cat <<TOML
[[task]]
name = "ledger"
schedule = "$DAILY"
database = "main"
sql = "INSERT INTO ledger (slot, backend) VALUES (\$1::timestamptz, pg_backend_pid()); SELECT pg_sleep(seconds) FROM sleep_for"
params = ["slot"]
TOML
} | make_config
host_slot_state hosta ledger "$DAILY" "$(daily_slot 1)"

host_start hosta --config "$CFG" --json run --scheduled ledger
deadline=$((SECONDS + 30))
until backend=$(pg_sql "SELECT pid FROM pg_stat_activity
                        WHERE state = 'active' AND query LIKE '%pg_sleep(seconds)%' AND pid <> pg_backend_pid()") &&
    [[ -n $backend ]]; do
    host_running hosta || fail "host A ended before its transaction reached its pg_sleep"
    ((SECONDS < deadline)) || fail "A's transaction never reached its pg_sleep"
    sleep 0.05
done
assert_eq "1|running|hosta|" "$(claim_row ledger "$slot")" "the claim while A runs"
pg_app_sql "UPDATE sleep_for SET seconds = 0" # a rerun does not sleep
pg_sql CHECKPOINT >/dev/null                  # the claim outlives the crash (pg.sh: synchronous_commit off)
as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -m immediate -w -t 30 restart >/dev/null ||
    fail "pg_ctl restart -m immediate failed: $(tail -n 20 "$PT_PG_DIR/server.log")"

host_wait hosta 30
cp "$T/hosts/hosta/stdout" "$T/first-run.json"
first_run=$(host_task hosta)
a_result=$(host_json hosta .tasks[0].result)
[[ $a_result != success ]] || fail "A's run succeeded across the crash: $(host_task hosta)"
host_assert_rc hosta 1
assert_eq 0 "$(pg_app_sql "SELECT count(*) FROM ledger")" "ledger rows after the crash"

# Later wakes of A, until the cluster has the slot done (a fenced claim first
# runs out its lease).
deadline=$((SECONDS + 30))
wakes=0
while [[ $(claim_row ledger "$slot" | cut -d'|' -f2) != "done" ]]; do
    ((SECONDS < deadline)) ||
        fail "the slot is not done in the cluster 30 s after the crash: claim $(claim_row ledger "$slot"); A's first run: $first_run; A's done_through $(host_slot_done hosta ledger)"
    host_run hosta --config "$CFG" --json run --scheduled ledger
    wakes=$((wakes + 1))
    sleep 0.2
done
row=$(claim_row ledger "$slot")
rows=$(pg_app_sql "SELECT count(*) || '|' || count(*) FILTER (WHERE backend = $backend) FROM ledger WHERE slot = '$slot'")
case $row in
*"|done|hosta|success")
    assert_eq "1|0" "$rows" "ledger rows of the slot (all|A's first run's) after a rerun"
    ((${row%%|*} >= 2)) || fail "the rerun's claim attempt: $row"
    ;;
*) assert_eq "0|0" "$rows" "ledger rows of the slot (all|A's first run's), claim $row" ;;
esac
# One more wake changes nothing.
host_run hosta --config "$CFG" --json run --scheduled ledger
host_assert_rc hosta 0
assert_eq "$row" "$(claim_row ledger "$slot")" "the claim after one more wake"
assert_eq "$rows" \
    "$(pg_app_sql "SELECT count(*) || '|' || count(*) FILTER (WHERE backend = $backend) FROM ledger WHERE slot = '$slot'")" \
    "ledger rows after one more wake"
echo "A's first run: $a_result; claim after $wakes wakes: $row"
echo "PASS: $TEST_NAME"
