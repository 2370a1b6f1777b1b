#!/bin/bash
# SPDX-License-Identifier: MIT
# A task whose lock another process holds is not started but "skipped"
# (skip_reason locked); when it was the only selected task the run exits 75.
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config cleanup
hold_lock cleanup

run_pt --config "$CFG" --json
assert_rc 75
assert_absent "$T/cleanup-ran" "the marker of the locked task"
assert_eq skipped "$(json_get '.tasks[0].result')" "result"
assert_eq locked "$(json_get '.tasks[0].skip_reason')" "skip_reason"
assert_contains "$(json_get '.tasks[0].detail')" "already running" "detail"
assert_eq 75 "$(json_get '.exit_code')" "exit_code in the JSON"
