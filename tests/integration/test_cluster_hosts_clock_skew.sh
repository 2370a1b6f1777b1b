#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners and wrong clocks: a host whose clock is 5
# minutes fast, and one 5 minutes slow (libfaketime's `faketime`, which
# shifts CLOCK_REALTIME for the runner only), are further off the database
# clock than max_clock_skew (30 s by default): each claims nothing, reports
# the task as `error` naming the clock skew, exits 1, runs nothing and keeps
# its slot to run. A host with a right clock then runs the slot, the one it
# should (today's), as attempt 1.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
require_tool faketime
pg_start

# faketime must move the clock here, or the test would prove nothing.
shift_seen=$(($(faketime -f '+5m' date +%s) - $(date +%s)))
((shift_seen >= 295 && shift_seen <= 305)) || fail "faketime -f +5m moved date's clock by $shift_seen s"

slot=$(daily_slot 0)
{
    cluster_config_toml 30s
    cat <<TOML
[[task]]
name = "skew"
schedule = "$DAILY"
command = ["/bin/sh", "-c", "echo \"\$(uname -n) \$PERIODIC_TASKS_SLOT\" >>$T/executions"]
TOML
} | make_config
for host in hostfast hostslow hostok; do
    host_slot_state "$host" skew "$DAILY" "$(daily_slot 1)"
done

# libfaketime is preloaded ahead of a sanitizer build's ASan runtime, which
# then refuses to start unless told the order is fine (it does not replace
# malloc, only the clocks).
asan_options=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
for host in hostfast hostslow; do
    if [[ $host == hostfast ]]; then
        HOST_WRAPPER=(env "ASAN_OPTIONS=$asan_options" faketime -f '+5m')
        off="ahead of"
    else
        HOST_WRAPPER=(env "ASAN_OPTIONS=$asan_options" faketime -f '-5m')
        off="behind"
    fi
    host_run "$host" --config "$CFG" --json run --scheduled skew
    HOST_WRAPPER=()
    host_assert_rc "$host" 1
    assert_eq error "$(host_json "$host" .tasks[0].result)" "$host's outcome"
    assert_match "$(host_json "$host" .tasks[0].detail)" \
        "this host's clock is (4min 5[0-9][.0-9]*s|5min|5min [.0-9]+m?s) $off the database's, more than max_clock_skew \(30s\)" \
        "$host's detail"
    assert_eq 0 "$(claim_count skew)" "claims after $host's run"
    assert_absent "$T/executions" "an execution on $host"
    assert_eq "$(daily_slot 1)" "$(host_slot_done "$host" skew)" "$host's done_through"
done

host_run hostok --config "$CFG" --json run --scheduled skew
host_assert_rc hostok 0
assert_eq "success|||1" "$(host_task hostok | cut -d'|' -f1-4)" "hostok's run (result|skip_reason|owner|claim_attempt)"
assert_eq "$slot" "$(host_json hostok .slot)" "hostok's slot"
assert_eq "hostok $slot" "$(cat "$T/executions")" "executions"
assert_eq "1|done|hostok|success" "$(claim_row skew "$slot")" "the claim"
assert_eq 1 "$(claim_count skew)" "claims"
echo "PASS: $TEST_NAME"
