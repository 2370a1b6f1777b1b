#!/bin/bash
# SPDX-License-Identifier: MIT
# In a dry run a task without dry_run_args is not started: it is reported
# "skipped" with skip_reason dry-run, and the run exits 0.
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config purge

run_pt --config "$CFG" --dry-run --json
assert_rc 0
assert_absent "$T/purge-ran" "the marker of a task without dry_run_args"
assert_eq true "$(json_get '.dry_run')" "dry_run"
assert_eq skipped "$(json_get '.tasks[0].result')" "result"
assert_eq dry-run "$(json_get '.tasks[0].skip_reason')" "skip_reason"
