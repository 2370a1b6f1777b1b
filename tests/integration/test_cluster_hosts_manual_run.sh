#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners, by hand: `run TASK` of a cluster task on
# host A takes the task's cluster-wide lock for as long as the task runs, so
# `run TASK` on host B meanwhile skips it with skip_reason "claimed" and
# exits 75 (busy); neither run writes a claim row or marks a slot, on
# either host. Once A is done, B's `run TASK` runs.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

task_script=$(make_script task.sh <<SCRIPT
#!/bin/bash
host=\$(uname -n)
echo "\$host \$PERIODIC_TASKS_SLOT" >>$T/executions
touch $T/started-\$host
if [ "\$host" = hosta ]; then
    for ((i = 0; i < 1200; i++)); do
        [ -e $T/release ] && exit 0
        sleep 0.05
    done
    exit 1
fi
SCRIPT
)
{
    cluster_config_toml 30s
    cat <<TOML
[[task]]
name = "report"
schedule = "$DAILY"
command = ["/bin/bash", "$task_script", "$MARK"]
TOML
} | make_config
for host in hosta hostb; do
    host_slot_state "$host" report "$DAILY" "$(daily_slot 1)"
done

host_start hosta --config "$CFG" --json run report
host_wait_for_file hosta "$T/started-hosta" 30

host_run hostb --config "$CFG" --json run report
host_assert_rc hostb 75
# A run by hand has no claim row, so no owner (docs/cluster.md); the database
# session that holds the task's lock names it.
assert_eq "skipped|claimed|" "$(host_task hostb | cut -d'|' -f1-3)" "B's run while A runs (result|skip_reason|owner)"
a_pid=${HOST_PID[hosta]}
assert_contains "$(host_json hostb .tasks[0].detail)" \
    "already running in the cluster: a run without a slot, database session \"periodic_tasks pid $a_pid on hosta (backend " \
    "B's detail"
# B's timer, for the slot due: it waits, naming the same session, and exits 0.
host_run hostb --config "$CFG" --json run --scheduled report
host_assert_rc hostb 0
assert_eq "skipped|claimed|" "$(host_task hostb | cut -d'|' -f1-3)" "B's timer while A runs by hand"
assert_contains "$(host_json hostb .tasks[0].detail)" \
    "waits: the task is running in the cluster (a run without a slot, database session \"periodic_tasks pid $a_pid on hosta (backend " \
    "the timer's detail"
assert_absent "$T/started-hostb" "an execution on B while A runs"
# B's status: no claim runs report, its lock's session does.
mkdir -p "$T/no-journal"
host_run hostb --config "$CFG" status --json -D "$T/no-journal"
r='.cluster.tasks[] | select(.task == "report")'
assert_eq null "$(host_json hostb "$r | .running")" "the claim running report, in B's status"
assert_contains "$(host_json hostb "$r | .lock_session")" "periodic_tasks pid $a_pid on hosta (backend " \
    "the session holding report's lock, in B's status"

touch "$T/release"
host_wait hosta 30
host_assert_rc hosta 0
assert_eq success "$(host_json hosta .tasks[0].result)" "A's run"
assert_eq null "$(host_json hosta .slot)" "A's slot"

# Once A is done, the lock is free.
host_run hostb --config "$CFG" --json run report
host_assert_rc hostb 0
assert_eq success "$(host_json hostb .tasks[0].result)" "B's run after A's"

assert_eq "hosta "$'\n'"hostb " "$(cat "$T/executions")" "executions (host, empty slot)"
assert_eq 0 "$(claim_count report)" "claim rows"
for host in hosta hostb; do
    assert_eq "$(daily_slot 1)" "$(host_slot_done "$host" report)" "$host's done_through"
done
echo "PASS: $TEST_NAME"
