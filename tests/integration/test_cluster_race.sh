#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster claims: 8 processes released at the same instant (all blocked on
# opening one FIFO until the test opens it for writing) claim the same
# (task, slot), for 200 slots: exactly one Claimed per slot, every other one
# HeldBy or Done, and one claim row per slot, at attempt 1.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start
cluster_run "$PT_PG_APP_CONNINFO" open # the schema, once, before the races
assert_rc 0

rounds=${PT_CLUSTER_RACE_ROUNDS:-200}
racers=8
claimed_total=0
held_total=0
done_total=0
started=$SECONDS
for ((round = 0; round < rounds; round++)); do
    slot=$((CL_SLOT + round * 3600000000))
    dir="$T/round$round"
    mkdir "$dir"
    mkfifo "$dir/barrier"
    pids=()
    for ((racer = 0; racer < racers; racer++)); do
        # Every second round the winner finishes at once: the late ones see Done.
        finish=()
        ((round % 2 == 0)) || finish=(--finish ok)
        "$PT_CLUSTER_PROBE" "$PT_PG_APP_CONNINFO" --barrier "$dir/barrier" --ready "$dir/ready$racer" \
            claim race "$slot" "host$racer" 30 "${finish[@]}" >"$dir/out$racer" 2>&1 &
        pids+=("$!")
    done
    for ((racer = 0; racer < racers; racer++)); do
        wait_for_file "$dir/ready$racer" 30
    done
    exec 3>"$dir/barrier" # releases every racer at once
    for pid in "${pids[@]}"; do
        wait "$pid" || fail "a racer of round $round failed: $(cat "$dir"/out*)"
    done
    exec 3>&-
    outcomes=$(cat "$dir"/out*)
    # claims|claimed|attempts of the claimed|held|done
    counts=$(jq -rs '[.[] | select(.op == "claim")] |
        "\(length)|\(map(select(.outcome == "claimed")) | length)|\(map(select(.outcome == "claimed") | .attempt) | join(","))|\(map(select(.outcome == "held")) | length)|\(map(select(.outcome == "done")) | length)"' \
        <<<"$outcomes") || fail "round $round: the racers' output is not JSON: $outcomes"
    IFS='|' read -r answers claimed attempts held finished <<<"$counts"
    [[ $answers == "$racers" && $claimed == 1 && $attempts == 1 && $((held + finished)) == $((racers - 1)) ]] ||
        fail "round $round: expected one Claimed at attempt 1 and $((racers - 1)) HeldBy or Done, got: $outcomes"
    claimed_total=$((claimed_total + claimed))
    held_total=$((held_total + held))
    done_total=$((done_total + finished))
    rm -rf "$dir"
done
assert_eq "$((rounds * (racers - 1)))" "$((held_total + done_total))" "HeldBy and Done answers"
assert_eq "$rounds|$rounds|1|1" \
    "$(pg_sql "SELECT count(*) || '|' || count(DISTINCT slot) || '|' || min(attempt) || '|' || max(attempt)
               FROM periodic_tasks.claims WHERE task = 'race'" app)" "claim rows (count|slots|attempts)"
echo "$rounds rounds of $racers racers in $((SECONDS - started)) s: $claimed_total claimed, $held_total held, $done_total done"
