#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners after downtime: three hosts, each with the
# daily task's slots done through three days ago (catch_up = "all"), wake at
# the same instant. The three missed slots run exactly once each across the
# cluster, each host running its own share oldest first with the slot's
# PERIODIC_TASKS_AS_OF; every other slot run of a host is skipped as
# claimed; all exit 0. A host waking later runs nothing.
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
for host in "${hosts[@]}"; do
    host_assert_rc "$host" 0
    # Each host's slot runs: all three slots, oldest first; those it did not
    # run are skipped as claimed, naming (when named) a host of the cluster:
    # the task's lock is per task, so a slot can be lost to the host that
    # holds the task for another slot.
    assert_eq "$(daily_slot 2) $(daily_slot 1) $(daily_slot 0)" "$(host_json "$host" .slot | tr '\n' ' ' | sed 's/ $//')" \
        "$host's slot runs"
    while IFS='|' read -r slot result reason owner; do
        ran_by=$(claim_row daily "$slot" | cut -d'|' -f3)
        if [[ $ran_by == "$host" ]]; then
            assert_eq "success||" "$result|$reason|$owner" "$host's run of $slot"
            assert_file_contains "$T/executions" "$host $slot"
        else
            assert_eq "skipped|claimed" "$result|$reason" "$host's run of $slot"
            [[ -z $owner || " ${hosts[*]} " == *" $owner "* && $owner != "$host" ]] ||
                fail "$host's run of $slot names '$owner' as the owner"
        fi
    done < <(host_json "$host" '[.slot, .tasks[0].result, .tasks[0].skip_reason, .tasks[0].owner.host] | map(. // "") | join("|")')
done

host_run hostlate --config "$CFG" --json run --scheduled daily
host_assert_rc hostlate 0
assert_eq 3 "$(wc -l <"$T/executions")" "executions after a late host's run"
assert_eq "skipped claimed skipped claimed skipped claimed" \
    "$(host_json hostlate '.tasks[0] | "\(.result) \(.skip_reason)"' | tr '\n' ' ' | sed 's/ $//')" "the late host's slot runs"
echo "PASS: $TEST_NAME"
