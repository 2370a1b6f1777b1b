#!/bin/bash
# SPDX-License-Identifier: MIT
# Several runs with mixed outcomes: the textfile holds, per task, the start of
# its last run, its last success (kept while it fails), its duration, its
# result as a state set, its consecutive failures and its exit status; a task
# that never ran has no series. The file is 0644 and no temp file is left.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
mkdir -p "$PROM_DIR"

make_config <<TOML
$(metrics_table)

[[task]]
name = "ok"
command = ["/bin/sh", "-c", "sleep 0.2"]

[[task]]
name = "flaky"
command = ["/bin/sh", "-c", "test -e $T/flaky-fixed || exit 3"]

[[task]]
name = "hang"
command = ["/bin/bash", "-c", "exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "1s"
kill_timeout = "1s"

[[task]]
name = "never"
enabled = false
command = ["/bin/true"]
TOML

# Run 1: every enabled task.
before=$EPOCHREALTIME
run_pt --config "$CFG"
after=$EPOCHREALTIME
assert_rc 1
assert_textfile_clean
ok_run=$(metric last_run_timestamp_seconds ok)
assert_between "$before" "$after" "$ok_run" "last run of ok"
assert_metric "$ok_run" last_success_timestamp_seconds ok
assert_between 0.2 5 "$(metric last_duration_seconds ok)" "duration of ok"
assert_result ok success
assert_metric 0 consecutive_failures ok
assert_metric 0 last_exit_status ok

flaky_run=$(metric last_run_timestamp_seconds flaky)
assert_between "$ok_run" "$after" "$flaky_run" "last run of flaky"
assert_no_metric last_success_timestamp_seconds flaky
assert_result flaky failed
assert_metric 1 consecutive_failures flaky
assert_metric 3 last_exit_status flaky

assert_between "$flaky_run" "$after" "$(metric last_run_timestamp_seconds hang)" "last run of hang"
assert_between 1 8 "$(metric last_duration_seconds hang)" "duration of hang"
assert_result hang timeout
assert_metric 1 consecutive_failures hang
assert_no_metric last_exit_status hang
assert_no_metric last_success_timestamp_seconds hang

assert_eq "" "$(task_lines never)" "series of the task that never ran"

# Run 2: the same outcomes count up.
run_pt --config "$CFG"
assert_rc 1
assert_textfile_clean
ok_run2=$(metric last_run_timestamp_seconds ok)
assert_between "$after" "$EPOCHREALTIME" "$ok_run2" "second last run of ok"
assert_metric "$ok_run2" last_success_timestamp_seconds ok
assert_metric 0 consecutive_failures ok
assert_metric 2 consecutive_failures flaky
assert_metric 2 consecutive_failures hang
assert_result hang timeout

# Run 3: flaky succeeds, hang fails on, ok keeps succeeding.
touch "$T/flaky-fixed"
before=$EPOCHREALTIME
run_pt --config "$CFG"
assert_rc 1
flaky_run3=$(metric last_run_timestamp_seconds flaky)
assert_between "$before" "$EPOCHREALTIME" "$flaky_run3" "third last run of flaky"
assert_metric "$flaky_run3" last_success_timestamp_seconds flaky
assert_result flaky success
assert_metric 0 consecutive_failures flaky
assert_metric 0 last_exit_status flaky
assert_metric 3 consecutive_failures hang
assert_textfile_clean
no_process_matching "$MARK"
