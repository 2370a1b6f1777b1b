#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with a real runner and a database crash: while host A runs a
# long command task holding its slot (6 s lease, kill_timeout 1 s), the
# server restarts with `pg_ctl restart -m immediate`. A's session, and the
# advisory lock it held, are gone, so A cannot renew: it fences itself
# (outcome `killed`, detail "fenced: ...", its task stopped) and leaves the
# slot to run. A later wake of A runs the slot again once the lease is over,
# recorded as claim attempt 2 and as a catch-up: the command ran twice, the
# claim is done once.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

lease=6
kill_timeout=1
slot=$(daily_slot 0)
task_script=$(make_script task.sh <<SCRIPT
#!/bin/bash
echo "\$(uname -n) \$PERIODIC_TASKS_SLOT" >>$T/executions
[ -e $T/quick ] && exit 0
trap 'touch $T/stopped; exit 143' TERM
bash -c 'exec -a "\$0" sleep 60' "\$1" &
touch $T/started
wait \$!
SCRIPT
)
{
    cluster_config_toml "${lease}s"
    cat <<TOML
[[task]]
name = "long"
schedule = "$DAILY"
kill_timeout = "${kill_timeout}s"
command = ["/bin/bash", "$task_script", "$MARK"]
TOML
} | make_config
host_slot_state hosta long "$DAILY" "$(daily_slot 1)"

host_start hosta --config "$CFG" --json run --scheduled long
host_wait_for_file hosta "$T/started" 30
assert_eq "1|running|hosta|" "$(claim_row long "$slot")" "the claim while A runs"
# The test server runs with synchronous_commit off (pg.sh): a checkpoint
# makes sure the claim outlives the crash, as it would on a durable server.
pg_sql CHECKPOINT >/dev/null
restarted_at=$SECONDS
as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -m immediate -w -t 30 restart >/dev/null ||
    fail "pg_ctl restart -m immediate failed: $(tail -n 20 "$PT_PG_DIR/server.log")"

# A fences itself: its task is stopped, its outcome is killed.
host_wait_for_file hosta "$T/stopped" $((lease / 2 + kill_timeout + 10))
host_wait hosta 30
host_assert_rc hosta 1
assert_eq killed "$(host_json hosta .tasks[0].result)" "A's outcome"
assert_match "$(host_json hosta .tasks[0].detail)" "^fenced" "A's detail"
# Stopped part way, the slot is not done: its claim is left to expire for a
# takeover (docs/cluster.md: at least once, CLAIM_ATTEMPT=2).
assert_eq "1|running" "$(claim_row long "$slot" | cut -d'|' -f1,2)" "the claim after A fenced (attempt|state)"
assert_eq "$(daily_slot 1)" "$(host_slot_done hosta long)" "A's done_through after the fence"
no_process_matching "$MARK"
echo "A fenced within $((SECONDS - restarted_at)) s of the restart"

# A later wake: the slot runs again, as attempt 2, once the lease is over.
touch "$T/quick"
host_run_until_won 30 hosta --config "$CFG" --json run --scheduled long
host_assert_rc hosta 0
assert_eq "success|||2" "$(host_task hosta | cut -d'|' -f1-4)" "the wake's run (result|skip_reason|owner|claim_attempt)"
assert_eq catch-up "$(host_json hosta .trigger)" "the wake's trigger"
assert_eq "$slot" "$(host_json hosta .slot)" "the wake's slot"
assert_eq "2|done|hosta|success" "$(claim_row long "$slot")" "the claim after the wake"
assert_eq "hosta $slot"$'\n'"hosta $slot" "$(cat "$T/executions")" "executions"
assert_eq "$slot" "$(host_slot_done hosta long)" "A's done_through after the wake"
echo "PASS: $TEST_NAME"
