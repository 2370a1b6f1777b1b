#!/bin/bash
# SPDX-License-Identifier: MIT
# When every selected task is locked by others the run exits 75, so a timer
# can tell "busy" from "done".
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config cleanup backup
hold_lock cleanup
hold_lock backup

run_pt --config "$CFG" --json
assert_rc 75
assert_absent "$T/cleanup-ran" "the marker of cleanup"
assert_absent "$T/backup-ran" "the marker of backup"
assert_eq "locked locked" "$(json_get '[.tasks[].skip_reason] | join(" ")')" "skip reasons"
