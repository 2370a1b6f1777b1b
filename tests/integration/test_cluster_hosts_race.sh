#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners: four hosts released at the same instant
# (hosts.sh's barrier) run `run --scheduled` of a task whose one slot is due
# (today's, an hour ago: slots.sh), for ROUNDS command tasks and ROUNDS SQL
# tasks (a task per round, since a claim is per task and slot; 100 + 100 by
# default, 200 slots raced by 800 runner starts, as issue 13 asks; the
# store-level test_cluster_race does 200 slots of 8 racers). Each round: exactly one host runs the slot, at claim attempt
# 1; the three others report it skipped with skip_reason "claimed" and the
# winner as the owner, or no owner when they found the task's lock held and
# no running claim to name (the winner between its lock and its insert, or
# between its done mark and its unlock: docs/cluster.md); all four exit 0. A command's execution appends "HOST
# SLOT" to a file of its task's: one line per slot. A SQL task inserts its
# slot and run id: one row per slot, the winner's. The first round also has
# four hosts create the cluster schema at once (first use).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

rounds=${PT_HOSTS_RACE_ROUNDS:-100}
hosts=(hosta hostb hostc hostd)
slot=$(daily_slot 0)
mkdir "$T/executions"
pg_app_sql "CREATE TABLE race_runs (task text NOT NULL, slot timestamptz NOT NULL, run_id text NOT NULL)"

{
    cluster_config_toml 30s
    for ((round = 0; round < rounds; round++)); do
        printf '[[task]]\nname = "cmd%d"\nschedule = "%s"\n' "$round" "$DAILY"
        # shellcheck disable=SC2016 # the shell of the task expands them
        printf 'command = ["/bin/sh", "-c", "echo \\"$(uname -n) $PERIODIC_TASKS_SLOT\\" >>%s/$PERIODIC_TASKS_TASK"]\n\n' \
            "$T/executions"
        printf '[[task]]\nname = "sql%d"\nschedule = "%s"\ndatabase = "main"\n' "$round" "$DAILY"
        # shellcheck disable=SC2016 # $1..$3 are the statement's parameters
        printf 'sql = "INSERT INTO race_runs (task, slot, run_id) VALUES ($1, $2::timestamptz, $3)"\n'
        printf 'params = ["task", "slot", "run_id"]\n\n'
    done
} | make_config
yesterday=$(daily_slot 1)
for host in "${hosts[@]}"; do
    for ((round = 0; round < rounds; round++)); do
        host_slot_state "$host" "cmd$round" "$DAILY" "$yesterday"
        host_slot_state "$host" "sql$round" "$DAILY" "$yesterday"
    done
done

declare -A wins=()
named=0   # losers that named the winner
unnamed=0 # losers that found the task's lock held and no running claim
# race TASK: one round; sets WINNER and WINNER_RUN_ID.
race() {
    local task=$1 host files=() lines winners=0 name result reason owner attempt run_id ran_slot detail
    barrier_new
    for host in "${hosts[@]}"; do
        host_start "$host" --config "$CFG" --json run --scheduled "$task"
        files+=("$T/hosts/$host/stdout")
    done
    barrier_release "${hosts[@]}"
    hosts_wait 120 "${hosts[@]}"
    barrier_close
    for host in "${hosts[@]}"; do
        host_assert_rc "$host" 0
    done
    # HOST|result|skip_reason|owner|claim_attempt|run_id|slot|detail, one line per host
    lines=$(jq -r '[(input_filename | split("/") | .[-2]), .tasks[0].result, .tasks[0].skip_reason,
                    .tasks[0].owner.host, .tasks[0].claim_attempt, .run_id, .slot, .tasks[0].detail]
                   | map(. // "" | tostring) | join("|")' "${files[@]}" 2>"$T/jq.err") ||
        fail "$task: a host's output is not JSON: $(cat "$T/jq.err")"
    assert_eq "${#hosts[@]}" "$(grep -c . <<<"$lines")" "$task: slot runs reported"
    WINNER=""
    while IFS='|' read -r name result reason owner attempt run_id ran_slot detail; do
        assert_eq "$slot" "$ran_slot" "$task: the slot of host $name's run"
        if [[ $result == success ]]; then
            winners=$((winners + 1))
            WINNER=$name
            WINNER_RUN_ID=$run_id
            assert_eq 1 "$attempt" "$task: the winner's claim_attempt"
        fi
    done <<<"$lines"
    assert_eq 1 "$winners" "$task: hosts that ran the slot ($lines)"
    while IFS='|' read -r name result reason owner attempt run_id ran_slot detail; do
        [[ $name == "$WINNER" ]] && continue
        if [[ -z $owner ]]; then
            assert_eq "skipped|claimed" "$result|$reason" "$task: host $name's outcome"
            assert_contains "$detail" "the task is running in the cluster" "$task: host $name's detail"
            unnamed=$((unnamed + 1))
        else
            assert_eq "skipped|claimed|$WINNER" "$result|$reason|$owner" "$task: host $name's outcome"
            named=$((named + 1))
        fi
    done <<<"$lines"
    wins[$WINNER]=$((${wins[$WINNER]:-0} + 1))
}

started=$SECONDS
for ((round = 0; round < rounds; round++)); do
    race "cmd$round"
    assert_eq "$WINNER $slot" "$(cat "$T/executions/cmd$round")" "cmd$round: its executions"
    race "sql$round"
    assert_eq "1|$WINNER_RUN_ID" \
        "$(pg_app_sql "SELECT count(*) || '|' || max(run_id) FROM race_runs WHERE task = 'sql$round'")" \
        "sql$round: rows inserted (count|run id)"
done
elapsed=$((SECONDS - started))

# Every slot's claim: attempt 1, done, success, one per task.
for kind in cmd sql; do
    assert_eq "$rounds|$rounds|1|1|done|success" \
        "$(pg_sql "SELECT count(*) || '|' || count(DISTINCT task) || '|' || min(attempt) || '|' || max(attempt)
                   || '|' || string_agg(DISTINCT state, ',') || '|' || string_agg(DISTINCT result, ',')
                   FROM periodic_tasks.claims WHERE task LIKE '$kind%' AND slot = '$slot'::timestamptz" app)" \
        "$kind claims (count|tasks|min attempt|max attempt|states|results)"
done
assert_eq "$rounds" "$(cat "$T"/executions/* | wc -l)" "command executions"
assert_eq "$rounds" "$(pg_app_sql "SELECT count(*) FROM race_runs")" "SQL rows"
summary=""
for host in "${hosts[@]}"; do
    summary+=" $host ${wins[$host]:-0}"
done
echo "$((2 * rounds)) slots, ${#hosts[@]} hosts each, in $elapsed s; slots won:$summary;" \
    "losers naming the winner $named, naming nobody $unnamed"
echo "PASS: $TEST_NAME"
