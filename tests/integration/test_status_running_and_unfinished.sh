#!/bin/bash
# SPDX-License-Identifier: MIT
# While a task runs, `status` says so (lock held: pid, since, position) and
# `history` lists it as running; when the runner is SIGKILLed mid-task (no
# end record), the task's last run is "unfinished" and counts as a failure.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

# wait_for_history_result TASK RESULT: polls `history TASK` until its newest run has RESULT.
wait_for_history_result() {
    local i
    for ((i = 0; i < 250; i++)); do
        journalctl --sync
        run_pt history "$1" -n 1 --json
        [[ $(json_get '.runs[0].result // ""') == "$2" ]] && return 0
        sleep 0.02
    done
    fail "history $1 never showed a $2 run"
}

body() {
    make_config <<TOML
[[task]]
name = "slow"
command = ["/bin/bash", "-c", "exec -a $MARK-slow sleep 300"]

[[task]]
name = "after"
command = ["/bin/true"]
TOML
    "$PT_BIN" --config "$CFG" run slow after >"$T/runner.out" 2>&1 &
    RUNNER=$!
    BG_PIDS+=("$RUNNER")
    wait_for_history_result slow running
    cp "$T/stdout" "$T/history-running.json"

    run_pt --config "$CFG" status --json
    assert_rc 0
    cp "$T/stdout" "$T/status-running.json"
    run_pt --config "$CFG" status slow
    cp "$T/stdout" "$T/status-running.txt"

    # The runner dies without a word (OOM killer, power loss): no end record.
    kill -KILL "$RUNNER"
    wait "$RUNNER" || true
    pkill -KILL -f "$MARK-slow" || true
    wait_for_history_result slow unfinished
    run_pt --config "$CFG" status --json
    STATUS_RC=$PT_RC
    cp "$T/stdout" "$T/status-after.json"
}
with_private_journal body

st() { json_get ".tasks[] | select(.task == \"$1\") | $2" "$T/status-running.json"; }
assert_eq true "$(st slow .running)" "slow is running"
assert_eq "$RUNNER" "$(st slow .running_pid)" "the runner's pid"
assert_match "$(st slow .running_since)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "running since"
assert_eq null "$(st slow .last_run)" "no finished run yet"
assert_eq false "$(st after .running)" "after is not running"
assert_eq null "$(st after .last_run)" "after never ran"
assert_match "$(sed -n 2p "$T/status-running.txt")" \
    "^slow +never run( +-){5} +running since [0-9-]{10} [0-9:]{8} \\(pid $RUNNER, 1/2\\) +- +-\$" "text row"
assert_eq "running $RUNNER null" \
    "$(json_get '.runs[0] | "\(.result) \(.pid) \(.finished)"' "$T/history-running.json")" "history: running"

s=$T/status-after.json
assert_eq 1 "$STATUS_RC" "status exits 1: the last run never finished"
assert_eq unfinished "$(json_get '.tasks[0].last_run.result' "$s")" "slow: unfinished"
assert_eq 1 "$(json_get '.tasks[0].consecutive_failures' "$s")" "slow: counts as a failure"
assert_eq false "$(json_get '.tasks[0].running' "$s")" "slow: no longer running"
