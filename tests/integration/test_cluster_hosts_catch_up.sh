#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners after downtime: three hosts, each with the
# daily task's slots done through three days ago (catch_up = "all"), wake at
# the same instant. The three missed slots run exactly once each across the
# cluster, each host running its own share oldest first with the slot's
# PERIODIC_TASKS_AS_OF; every other slot run of a host is skipped as
# claimed, and a host stops at a slot that a run still holds (it stays due
# there); all exit 0. A host waking later runs nothing.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

hosts=(hosta hostb hostc)
{
    cluster_config_toml 30s
    daily_task_toml all \
        "[\"/bin/sh\", \"-c\", \"echo \\\"\$(uname -n) \$PERIODIC_TASKS_SLOT \$PERIODIC_TASKS_AS_OF\\\" >>$T/executions\"]"
} | make_config
for host in "${hosts[@]}" hostlate; do
    host_slot_state "$host" daily "$DAILY" "$(daily_slot 3)"
done

barrier_new
for host in "${hosts[@]}"; do
    host_start "$host" --config "$CFG" --json run --scheduled daily
done
barrier_release "${hosts[@]}"
hosts_wait 120 "${hosts[@]}"
barrier_close

expected=""
for days_ago in 2 1 0; do
    slot=$(daily_slot "$days_ago")
    expected+="$slot ${slot:0:10}"$'\n'
    assert_eq "1|done|success" "$(claim_row daily "$slot" | cut -d'|' -f1,2,4)" "the claim of $slot"
done
assert_eq "$expected" "$(cut -d' ' -f2- "$T/executions" | sort)"$'\n' "slots run (slot, as_of), once each"
all="$(daily_slot 2) $(daily_slot 1) $(daily_slot 0)"
for host in "${hosts[@]}"; do
    host_assert_rc "$host" 0
    # Each host's slot runs, oldest first from the first missed slot. Those it
    # did not run are skipped as claimed, naming (when named) a host of the
    # cluster. A slot found done elsewhere counts as done here and the host
    # goes on; a slot lost to a run that still holds the task (per task, so
    # perhaps for another slot) ends the host's runs: that slot stays due
    # here, and so must every later one, since the slot state is done
    # through a slot. Going on would let every host pass over a slot.
    runs=$(host_json "$host" .slot | tr '\n' ' ' | sed 's/ $//')
    [[ -n $runs && $all == "$runs"* ]] || fail "$host's slot runs '$runs' are not the first of '$all'"
    count=$(wc -w <<<"$runs")
    i=0
    done_through=$(daily_slot 3)
    while IFS='|' read -r slot result reason owner detail; do
        i=$((i + 1))
        ran_by=$(claim_row daily "$slot" | cut -d'|' -f3)
        if [[ $ran_by == "$host" ]]; then
            assert_eq "success||" "$result|$reason|$owner" "$host's run of $slot"
            assert_file_contains "$T/executions" "$host $slot"
            done_through=$slot
            continue
        fi
        assert_eq "skipped|claimed" "$result|$reason" "$host's run of $slot"
        [[ -z $owner || " ${hosts[*]} " == *" $owner "* && $owner != "$host" ]] ||
            fail "$host's run of $slot names '$owner' as the owner"
        if [[ $detail == *"already ran in the cluster"* ]]; then
            done_through=$slot
        else
            ((i == count)) || fail "$host went on past $slot, which a run still held: $detail"
        fi
    done < <(host_json "$host" '[.slot, .tasks[0].result, .tasks[0].skip_reason, .tasks[0].owner.host, .tasks[0].detail] | map(. // "") | join("|")')
    assert_eq "$done_through" "$(host_slot_done "$host" daily)" "$host's done_through"
done

host_run hostlate --config "$CFG" --json run --scheduled daily
host_assert_rc hostlate 0
assert_eq 3 "$(wc -l <"$T/executions")" "executions after a late host's run"
assert_eq "skipped claimed skipped claimed skipped claimed" \
    "$(host_json hostlate '.tasks[0] | "\(.result) \(.skip_reason)"' | tr '\n' ' ' | sed 's/ $//')" "the late host's slot runs"
echo "PASS: $TEST_NAME"
