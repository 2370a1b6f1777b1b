#!/bin/bash
# SPDX-License-Identifier: MIT
# A task that exits 0 runs once, is reported "success", and the run exits 0.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[settings]
timezone = "UTC"

[[task]]
name = "cleanup"
command = ["/bin/sh", "-c", "echo ran >> $T/ran"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
assert_eq "ran" "$(cat "$T/ran")" "lines the task wrote"
assert_eq 1 "$(json_get '.tasks | length')" "tasks in the summary"
assert_eq cleanup "$(json_get '.tasks[0].name')" "task name"
assert_eq success "$(json_get '.tasks[0].result')" "result"
assert_eq 0 "$(json_get '.tasks[0].exit_status')" "exit_status"
assert_eq null "$(json_get '.tasks[0].skip_reason')" "skip_reason"
assert_eq 0 "$(json_get '.exit_code')" "exit_code in the JSON"
assert_match "$(json_get '.run_id')" '^[0-9a-f]{32}$' "run_id"
