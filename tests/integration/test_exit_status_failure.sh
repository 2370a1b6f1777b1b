#!/bin/bash
# SPDX-License-Identifier: MIT
# A task exiting with a code outside success_exit_codes is "failed" with its
# exit status; the next task still runs, and the run exits 1.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "broken"
command = ["/bin/sh", "-c", "exit 3"]

[[task]]
name = "after"
command = ["/bin/sh", "-c", "echo ran > $T/after-ran"]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq failed "$(json_get '.tasks[0].result')" "result of broken"
assert_eq 3 "$(json_get '.tasks[0].exit_status')" "exit_status of broken"
assert_eq "failed: exit status 3" "$(json_get '.tasks[0].detail')" "detail of broken"
assert_eq null "$(json_get '.tasks[0].signal')" "signal of broken"
assert_exists "$T/after-ran" "the marker of the task after the failure"
assert_eq success "$(json_get '.tasks[1].result')" "result of after"
assert_eq 1 "$(json_get '.exit_code')" "exit_code in the JSON"
