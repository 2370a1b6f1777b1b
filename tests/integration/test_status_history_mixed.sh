#!/bin/bash
# SPDX-License-Identifier: MIT
# `status` and `history` read back what several runs with mixed outcomes
# wrote to a real journald: last run, result, exit status, last success,
# consecutive failures (dry runs and lock skips do not count), a task never
# run, the trigger, and each task run once; entries of other programs (even
# ones carrying our field names) are not ours.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq
require_tool logger

ok_id=54023f668d49437b9239113b3a325913 # task succeeded

body() {
    make_config <<TOML
[[task]]
name = "ok"
command = ["/bin/true"]

[[task]]
name = "flaky"
command = ["/bin/sh", "-c", "test -e $T/flaky-fixed || exit 2"]

[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 3"]

[[task]]
name = "never"
command = ["/bin/true"]
enabled = false
TOML
    local i
    for i in 1 2; do
        run_pt --config "$CFG" run ok flaky bad --as-of "2025-01-0$i" --json
        assert_rc 1
        cp "$T/stdout" "$T/run$i.json"
    done
    touch "$T/flaky-fixed"
    # A timer run (INVOCATION_ID set, no names): flaky now succeeds, bad fails again.
    INVOCATION_ID=0123456789abcdef0123456789abcdef run_pt --config "$CFG" --as-of 2025-01-03 --json
    assert_rc 1
    cp "$T/stdout" "$T/run3.json"
    # Neither a dry run nor a skip is a run of the task.
    run_pt --config "$CFG" run bad --dry-run --json
    assert_eq skipped "$(json_get '.tasks[0].result')" "dry run of bad"
    hold_lock bad
    run_pt --config "$CFG" run bad --json
    assert_rc 75
    cp "$T/stdout" "$T/run5.json"
    pkill -KILL -f "$MARK-lockholder" # flock(1) then exits and the lock is free
    wait "$HOLDER_PID" || true
    # Another program's entries, with our field names and even our MESSAGE_ID.
    printf '%s\n' "MESSAGE=not ours" SYSLOG_IDENTIFIER=other-tool TASK=bad TASK_RESULT=success \
        "MESSAGE_ID=$ok_id" RUN_ID=ffffffffffffffff | logger --journald
    logger -t other-tool "plain syslog line"
    journalctl --sync

    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/status.json"
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/status.txt"
    cp "$T/stderr" "$T/status.err"
    STATUS_RC=$PT_RC
    run_pt history --json -n 0
    cp "$T/stdout" "$T/history.json"
    run_pt history bad -n 2
    cp "$T/stdout" "$T/history-bad.txt"
    run_pt history --failed --json
    cp "$T/stdout" "$T/history-failed.json"
    run_pt history --run "$(json_get .run_id "$T/run3.json")" --json
    cp "$T/stdout" "$T/history-run3.json"
    run_pt history --since 1h --json
    cp "$T/stdout" "$T/history-since.json"
    run_pt history --since "2999-01-01" --json
    cp "$T/stdout" "$T/history-future.json"
}
with_private_journal body

run1=$(json_get .run_id "$T/run1.json")
run2=$(json_get .run_id "$T/run2.json")
run3=$(json_get .run_id "$T/run3.json")

# --- status, JSON: field by field ---
s=$T/status.json
assert_eq "ok flaky bad never" "$(json_get '[.tasks[].task] | join(" ")' "$s")" "status rows in config order"
st() { json_get ".tasks[] | select(.task == \"$1\") | $2" "$s"; }
assert_eq success "$(st ok .last_run.result)" "ok: result"
assert_eq "$run3" "$(st ok .last_run.run_id)" "ok: last run is the timer run"
assert_eq timer "$(st ok .last_run.trigger)" "ok: trigger"
assert_eq 2025-01-03 "$(st ok .last_run.as_of)" "ok: as_of"
assert_eq 0 "$(st ok .last_run.exit_status)" "ok: exit status"
assert_eq 0 "$(st ok .consecutive_failures)" "ok: consecutive failures"
assert_eq "$(st ok .last_run.started_usec)" "$(st ok .last_success_usec)" "ok: last success is its last run"
assert_eq "$(st flaky .last_run.started)" "$(st flaky .last_success)" "flaky: last success is its last run"
assert_eq "1/3" "$(st ok .last_run.position)" "ok: position in the timer run"

assert_eq success "$(st flaky .last_run.result)" "flaky: result after the fix"
assert_eq 0 "$(st flaky .consecutive_failures)" "flaky: a success resets the count"
assert_eq "$run3" "$(st flaky .last_run.run_id)" "flaky: last run"

assert_eq failed "$(st bad .last_run.result)" "bad: result (the dry run and the lock skip do not count)"
assert_eq "$run3" "$(st bad .last_run.run_id)" "bad: last run"
assert_eq 3 "$(st bad .last_run.exit_status)" "bad: exit status"
assert_eq 3 "$(st bad .consecutive_failures)" "bad: consecutive failures"
assert_eq null "$(st bad .last_success)" "bad: never succeeded (another program's 'success' is not ours)"
assert_eq false "$(st bad .running)" "bad: not running"
assert_match "$(st bad .last_run.started)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$' "bad: ISO 8601 start"
assert_match "$(st bad .last_run.duration_usec)" '^[0-9]+$' "bad: duration"

assert_eq null "$(st never .last_run)" "never: no last run"
assert_eq false "$(st never .enabled)" "never: disabled"

# --- status, text ---
assert_eq 1 "$STATUS_RC" "status exits 1 when a shown task's last run failed"
row() { awk -v t="$1" '$1 == t' "$T/status.txt"; }
assert_match "$(head -n 1 "$T/status.txt")" '^TASK +LAST RUN +RESULT +DURATION +EXIT +LAST SUCCESS +FAILURES +NOW +NEXT +CATCH-UP$' "header"
assert_match "$(row bad)" '^bad +[0-9-]{10} [0-9:]{8} +failed +[0-9.]+s +exit 3 +never +3 +- +- +-$' "bad row"
assert_match "$(row ok)" '^ok +[0-9-]{10} [0-9:]{8} +success +[0-9.]+s +exit 0 +[0-9-]{10} [0-9:]{8} +0 +- +- +-$' "ok row"
assert_match "$(row never)" '^never +never run +- +- +- +- +- +disabled +- +-$' "never row"

# --- history: every task run once, newest first ---
h=$T/history.json
# 3 runs x 3 tasks + the dry run + the lock skip = 11 task runs.
assert_eq 11 "$(json_get '.runs | length' "$h")" "task runs in the history"
assert_eq 11 "$(json_get '[.runs[] | .run_id + "/" + .task] | unique | length' "$h")" "each task run once"
assert_eq true "$(json_get '[.runs[].started_usec] | . == (sort | reverse)' "$h")" "newest first"
assert_eq "locked" "$(json_get '.runs[0].skip_reason' "$h")" "newest: the lock skip"
assert_eq "$(json_get .run_id "$T/run5.json")" "$(json_get '.runs[0].run_id' "$h")" "its run id"
assert_eq "true skipped dry-run" "$(json_get '.runs[1] | "\(.dry_run) \(.result) \(.skip_reason)"' "$h")" "then the dry run"
assert_eq "failed 2 manual 2025-01-01" \
    "$(json_get ".runs[] | select(.run_id == \"$run1\" and .task == \"flaky\") | \"\(.result) \(.exit_status) \(.trigger) \(.as_of)\"" "$h")" \
    "flaky in run 1"
assert_eq "failed 2/3" \
    "$(json_get ".runs[] | select(.run_id == \"$run2\" and .task == \"flaky\") | \"\(.result) \(.position)\"" "$h")" \
    "flaky in run 2, with its position"
assert_eq 0 "$(json_get '[.runs[] | select(.finished_usec < .started_usec)] | length' "$h")" "no run ends before it starts"

assert_eq 3 "$(($(wc -l <"$T/history-bad.txt")))" "history bad -n 2: header and two rows"
assert_match "$(sed -n 2p "$T/history-bad.txt")" '^[0-9-]{10} [0-9:]{8} +bad +skipped \(locked\) +[0-9.]+s +- +[0-9-]{10} +manual +[0-9a-f]+$' "newest bad row"

assert_eq "bad bad bad flaky flaky" \
    "$(json_get '[.runs[].task] | sort | join(" ")' "$T/history-failed.json")" "--failed: only failures"
assert_eq "ok flaky bad" "$(json_get '[.runs[].task] | reverse | join(" ")' "$T/history-run3.json")" "--run: one run's tasks"
assert_eq 11 "$(json_get '.runs | length' "$T/history-since.json")" "--since 1h"
assert_eq 0 "$(json_get '.runs | length' "$T/history-future.json")" "--since the future"
