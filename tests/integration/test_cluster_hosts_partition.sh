#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners and a partition: host A reaches the cluster
# database through a proxy (proxy.sh) and runs a long command task with a 6 s
# lease (heartbeats every 2 s) and kill_timeout 1 s; the proxy then
# blackholes A. A cannot renew, so it fences itself: its task gets SIGTERM
# within lease/2 (+ kill_timeout, + 1 s of slack) of the partition, and its
# outcome is `killed`, detail "fenced: ...". Host B (over the unix socket)
# skips the slot as A's until A's lease has ended, then takes it over as
# attempt 2; the two executions never overlap in time (each writes its start
# and end from `date +%s.%N`). Once the partition heals, A's late finish
# changes nothing: the claim stays B's.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/proxy.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start
proxy_start neta --target "127.0.0.1:$PT_PG_PORT"

lease=6
kill_timeout=1
slot=$(daily_slot 0)
task_script=$(make_script task.sh <<SCRIPT
#!/bin/bash
host=\$(uname -n)
echo "\$host start \$(date +%s.%N)" >>$T/times
trap 'echo "\$host end \$(date +%s.%N)" >>$T/times; exit 143' TERM
seconds=1
if [ "\$host" = hosta ]; then seconds=60; fi
bash -c 'exec -a "\$0" sleep "\$1"' "\$1" "\$seconds" &
wait \$!
echo "\$host end \$(date +%s.%N)" >>$T/times
SCRIPT
)
task_toml="[[task]]
name = \"long\"
schedule = \"$DAILY\"
kill_timeout = \"${kill_timeout}s\"
command = [\"/bin/bash\", \"$task_script\", \"$MARK\"]"
{
    cluster_config_toml "${lease}s" \
        "host=127.0.0.1 port=${PT_PROXY_PORT[neta]} user=app dbname=app sslmode=disable connect_timeout=2" \
        "password_file = \"$PT_PG_APP_PASSWORD_FILE\""
    printf '%s\n' "$task_toml"
} | make_config "$T/config-a.toml"
{
    cluster_config_toml "${lease}s"
    printf '%s\n' "$task_toml"
} | make_config "$T/config-b.toml"
for host in hosta hostb; do
    host_slot_state "$host" long "$DAILY" "$(daily_slot 1)"
done

# time_of HOST WHAT: prints the time HOST's execution wrote for WHAT (start or end).
time_of() {
    [[ -f $T/times ]] || return 0
    sed -n "s/^$1 $2 //p" "$T/times"
}

# wait_for_time HOST WHAT SECONDS: waits for HOST's execution to write WHAT.
wait_for_time() {
    local deadline=$((SECONDS + $3))
    until [[ -n $(time_of "$1" "$2") ]]; do
        host_running "$1" || [[ -n $(time_of "$1" "$2") ]] || fail "host $1 ended before its execution wrote $2"
        ((SECONDS < deadline)) || fail "host $1's execution wrote no $2 within $3 s"
        sleep 0.02
    done
}

host_start hosta --config "$T/config-a.toml" --json run --scheduled long
wait_for_time hosta start 30
assert_eq "1|running|hosta|" "$(claim_row long "$slot")" "the claim while A runs"
lease_until=$(claim_lease_until long "$slot")
partitioned_at=$(date +%s.%N)
proxy_send neta blackhole >/dev/null

# Within A's lease, B skips the slot as A's.
host_run hostb --config "$T/config-b.toml" --json run --scheduled long
checked_at=$(date +%s.%N)
host_assert_rc hostb 0
assert_eq "skipped|claimed|hosta" "$(host_task hostb | cut -d'|' -f1-3)" "B's run within A's lease"
awk -v a="$checked_at" -v b="$lease_until" 'BEGIN { exit !(a < b) }' ||
    fail "B's first run ended at $checked_at, after A's lease ($lease_until): too late to test the lease"

# A fences itself: its task is stopped within lease/2 + kill_timeout.
wait_for_time hosta end $((lease / 2 + kill_timeout + 10))
fenced_after=$(awk -v a="$(time_of hosta end)" -v b="$partitioned_at" 'BEGIN { printf "%.2f", a - b }')
awk -v d="$fenced_after" -v max="$lease" -v k="$kill_timeout" 'BEGIN { exit !(d <= max / 2 + k + 1) }' ||
    fail "A's task was stopped ${fenced_after} s after the partition, later than lease/2 + kill_timeout (+1 s)"

# After A's lease, B takes the slot over as attempt 2.
host_run_until_won 40 hostb --config "$T/config-b.toml" --json run --scheduled long
assert_eq "success|||2" "$(host_task hostb | cut -d'|' -f1-4)" "B's takeover run (result|skip_reason|owner|claim_attempt)"
awk -v a="$(time_of hostb start)" -v b="$lease_until" 'BEGIN { exit !(a >= b) }' ||
    fail "B started at $(time_of hostb start), before A's lease ended ($lease_until)"
awk -v a="$(time_of hostb start)" -v b="$(time_of hosta end)" 'BEGIN { exit !(a > b) }' ||
    fail "the executions overlap: A ended at $(time_of hosta end), B started at $(time_of hostb start)"
assert_eq "2|done|hostb|success" "$(claim_row long "$slot")" "the claim after B's run"

# Healed: A's late finish (attempt 1) changes nothing.
proxy_send neta heal >/dev/null
host_wait hosta 60
host_assert_rc hosta 1
assert_eq killed "$(host_json hosta .tasks[0].result)" "A's outcome"
assert_match "$(host_json hosta .tasks[0].detail)" "^fenced" "A's detail"
assert_eq "2|done|hostb|success" "$(claim_row long "$slot")" "the claim after A's finish"
no_process_matching "$MARK"

# A's next wake runs nothing: the slot is done (here, or in the cluster, by B).
host_run hosta --config "$T/config-a.toml" --json run --scheduled long
host_assert_rc hosta 0
runs=$(host_json hosta '[.slot, .tasks[0].result, .tasks[0].skip_reason, .tasks[0].owner.host] | join("|")')
[[ -z $runs || $runs == "$slot|skipped|claimed|hostb" ]] || fail "A's next wake: $runs"
assert_eq "hosta hostb" "$(cut -d' ' -f1 "$T/times" | sort -u | tr '\n' ' ' | sed 's/ $//')" "hosts that ran the task"
assert_eq 4 "$(wc -l <"$T/times")" "start and end lines of the executions"
echo "A's task stopped ${fenced_after} s after the partition; B took over after $HOST_TRIES runs"
echo "PASS: $TEST_NAME"
