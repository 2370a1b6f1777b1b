#!/bin/bash
# SPDX-License-Identifier: MIT
# What cluster mode costs on the wire, counted by the test proxy
# (tests/helpers/tcp_proxy.py): a fact, not a time. A claimed slot of a
# command task costs 3 round trips (the task's lock with its row; the claim,
# decided under a snapshot taken after the lock was granted; the done mark
# with the unlock, in one transaction and one write, the lock held at
# transaction level until the mark commits:
# src/postgres/cluster_store.cpp), so 10 slots cost 27 more than 1; what a
# run does once (connect, schema version, clock skew, pruning) is in both and
# cancels out. A slot another host already ran is decided in the lock's and
# the claim's round trips, then the lock is given back: 3 as well, and
# nothing runs. Without [cluster] a command task never connects.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/proxy.sh"
require_jq
require_no_journal
pg_start
proxy_start net --target "127.0.0.1:$PT_PG_PORT"

# task "daily", every missed slot of the last 30 days to run.
daily_toml() {
    daily_task_toml all '["/bin/true"]'
    echo 'catch_up_window = "30d"'
}

with_cluster() {
    pg_database_via_proxy_toml net
    printf '\n[cluster]\ndatabase = "main"\n\n'
    daily_toml
}

# run_slots DONE_DAYS_AGO: runs task "daily" by its timer with its slot state
# done through DONE_DAYS_AGO days back, so that that many slots are due, and
# sets TRIPS and CONNECTIONS to what the run cost through the proxy.
run_slots() {
    local before after
    write_slot_state daily "$DAILY" "$(daily_slot "$1")"
    before=$(proxy_send net stats)
    run_pt --config "$CFG" run --scheduled daily --json
    after=$(proxy_send net stats)
    TRIPS=$(($(jq -r .round_trips <<<"$after") - $(jq -r .round_trips <<<"$before")))
    CONNECTIONS=$(($(jq -r .connections <<<"$after") - $(jq -r .connections <<<"$before")))
}

# slots WHERE: how many slots of the last run (a JSON summary each) match
# the jq condition WHERE.
slots() {
    jq -s "[.[].tasks[] | select($1)] | length" "$T/stdout"
}

with_cluster | make_config
# The first run creates the schema; measured runs start from its end.
run_slots 1
assert_rc 0
pg_app_sql "DELETE FROM periodic_tasks.claims" >/dev/null

run_slots 1
assert_rc 0
assert_eq 1 "$(slots '.result == "success"')" "slots run, 1 due"
one=$TRIPS
assert_eq 1 "$CONNECTIONS" "connections of a run with 1 slot"
pg_app_sql "DELETE FROM periodic_tasks.claims" >/dev/null

run_slots 10
assert_rc 0
assert_eq 10 "$(slots '.result == "success"')" "slots run, 10 due"
assert_eq 1 "$CONNECTIONS" "connections of a run with 10 slots"
echo "round trips: 1 claimed slot $one, 10 claimed slots $TRIPS"
assert_eq $((one + 9 * 3)) "$TRIPS" "round trips of 10 claimed slots (1 slot: $one)"
assert_eq 10 "$(pg_app_sql "SELECT count(*) FROM periodic_tasks.claims WHERE task = 'daily' AND state = 'done'")" \
    "slots marked done"

# The same 10 slots again, as on a host that comes second: each is found
# done in the cluster and skipped.
run_slots 10
assert_rc 0
assert_eq 10 "$(slots '.skip_reason == "claimed"')" "slots skipped as claimed"
lost=$TRIPS
write_slot_state daily "$DAILY" "$(daily_slot 1)"
run_slots 1
assert_rc 0
assert_eq 1 "$(slots '.skip_reason == "claimed"')" "the 1 slot again, skipped as claimed"
echo "round trips: 1 slot ran elsewhere $TRIPS, 10 slots $lost"
assert_eq $((TRIPS + 9 * 3)) "$lost" "round trips of 10 slots another host ran (1 slot: $TRIPS)"

# Without [cluster], a command task costs the database nothing.
daily_toml | make_config
run_slots 10
assert_rc 0
assert_eq 10 "$(slots '.result == "success"')" "slots run without [cluster]"
assert_eq 0 "$TRIPS" "round trips without [cluster]"
assert_eq 0 "$CONNECTIONS" "connections without [cluster]"
echo PASS
