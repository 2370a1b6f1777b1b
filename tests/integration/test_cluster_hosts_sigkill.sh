#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners: host A runs a long command task holding its
# slot with a 6 s lease, and is SIGKILLed with its task's process group (the
# task has a session of its own), as a host that dies does. Within the lease,
# host B's run skips the slot as claimed by A (A's runner pid named); after
# the lease, B takes it over as attempt 2 and runs it (at least once: the
# command ran on both); the claim ends done by B.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

slot=$(daily_slot 0)
task_script=$(make_script task.sh <<SCRIPT
#!/bin/bash
host=\$(uname -n)
echo "\$host \$PERIODIC_TASKS_SLOT" >>$T/executions
date +%s.%N >$T/started-\$host
echo \$\$ >$T/task-\$host.pid
if [ "\$host" = hosta ]; then exec -a "\$1" sleep 60; fi
SCRIPT
)
{
    cluster_config_toml 6s
    cat <<TOML
[[task]]
name = "long"
schedule = "$DAILY"
kill_timeout = "1s"
command = ["/bin/bash", "$task_script", "$MARK"]
TOML
} | make_config
for host in hosta hostb; do
    host_slot_state "$host" long "$DAILY" "$(daily_slot 1)"
done

host_start hosta --config "$CFG" --json run --scheduled long
runner_a=${HOST_PID[hosta]}
host_wait_for_file hosta "$T/task-hosta.pid" 30
assert_eq "1|running|hosta|" "$(claim_row long "$slot")" "the claim while A runs"
lease_until=$(claim_lease_until long "$slot")

# A dies: its runner and its task's process group at once.
task_a=$(cat "$T/task-hosta.pid")
kill -KILL "$runner_a" "-$task_a"
host_wait hosta 10
host_assert_rc hosta 137
no_process_matching "$MARK"

# Within the lease: B skips, naming A.
host_run hostb --config "$CFG" --json run --scheduled long
checked_at=$(date +%s.%N)
host_assert_rc hostb 0
assert_eq "skipped|claimed|hosta" "$(host_task hostb | cut -d'|' -f1-3)" "B's run within A's lease"
assert_eq "$runner_a" "$(host_json hostb .tasks[0].owner.pid)" "the owner's pid"
assert_match "$(host_json hostb .tasks[0].detail)" "claimed by host hosta" "B's detail"
awk -v a="$checked_at" -v b="$lease_until" 'BEGIN { exit !(a < b) }' ||
    fail "B's first run ended at $checked_at, after A's lease ($lease_until): too late to test the lease"
assert_eq "1|running|hosta|" "$(claim_row long "$slot")" "the claim after B's first run"
assert_absent "$T/started-hostb" "an execution on B within A's lease"

# After the lease: B takes the slot over as attempt 2.
host_run_until_won 30 hostb --config "$CFG" --json run --scheduled long
host_assert_rc hostb 0
assert_eq "success|||2" "$(host_task hostb | cut -d'|' -f1-4)" "B's takeover run (result|skip_reason|owner|claim_attempt)"
awk -v a="$(cat "$T/started-hostb")" -v b="$lease_until" 'BEGIN { exit !(a >= b) }' ||
    fail "B started the task at $(cat "$T/started-hostb"), before A's lease ended ($lease_until)"
assert_eq "2|done|hostb|success" "$(claim_row long "$slot")" "the claim after the takeover"
assert_eq "hosta $slot"$'\n'"hostb $slot" "$(cat "$T/executions")" "executions"
assert_eq "$slot" "$(host_slot_done hostb long)" "B's done_through"
assert_eq "$(daily_slot 1)" "$(host_slot_done hosta long)" "A's done_through (it died)"
echo "B took over after $HOST_TRIES runs"
echo "PASS: $TEST_NAME"
