#!/bin/bash
# SPDX-License-Identifier: MIT
# `run TASK` runs the named task even when it is disabled, and only it; the
# run is logged with trigger "manual".
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

make_config <<TOML
[[task]]
name = "daily"
command = ["/bin/sh", "-c", "echo ran > $T/daily-ran"]

[[task]]
name = "reindex"
command = ["/bin/sh", "-c", "echo ran > $T/reindex-ran"]
enabled = false
TOML

INVOCATION_ID=0123456789abcdef0123456789abcdef run_pt --config "$CFG" run reindex --json
assert_rc 0
assert_exists "$T/reindex-ran" "the marker of the disabled task named on the command line"
assert_absent "$T/daily-ran" "the marker of the task not named"
assert_eq reindex "$(json_get '[.tasks[].name] | join(" ")')" "tasks in the summary"
assert_eq manual "$(json_get '.trigger')" "trigger"
assert_match "$(grep -F 'task "reindex" started' "$T/stderr")" 'TRIGGER=manual' "the start record"
