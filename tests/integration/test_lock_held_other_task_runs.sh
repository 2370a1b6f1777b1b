#!/bin/bash
# SPDX-License-Identifier: MIT
# With one task locked and another free, the free one runs and the run
# exits 0: a skipped task is not a failure.
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config cleanup backup
hold_lock cleanup

run_pt --config "$CFG" --json
assert_rc 0
assert_absent "$T/cleanup-ran" "the marker of the locked task"
assert_exists "$T/backup-ran" "the marker of the free task"
assert_eq skipped "$(json_get '.tasks[0].result')" "result of cleanup"
assert_eq locked "$(json_get '.tasks[0].skip_reason')" "skip_reason of cleanup"
assert_eq success "$(json_get '.tasks[1].result')" "result of backup"
