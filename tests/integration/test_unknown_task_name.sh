#!/bin/bash
# SPDX-License-Identifier: MIT
# An unknown task name is a usage error (exit 64) with a "did you mean",
# and nothing runs, not even the known names beside it.
. "$(dirname "$0")/common.sh"

make_marker_config cleanup backup

run_pt --config "$CFG" run backup cleanpu
assert_rc 64
assert_eq 'periodic_tasks: error: unknown task "cleanpu"; did you mean "cleanup"?' "$(cat "$T/stderr")" "stderr"
assert_absent "$T/backup-ran" "the marker of the known task named beside it"
assert_absent "$T/cleanup-ran" "the marker of cleanup"
