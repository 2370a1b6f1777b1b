#!/bin/bash
# SPDX-License-Identifier: MIT
# success_exit_codes decides success: 3 listed is success, 0 not listed fails.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "three-ok"
command = ["/bin/sh", "-c", "exit 3"]
success_exit_codes = [0, 3]

[[task]]
name = "zero-not-ok"
command = ["/bin/true"]
success_exit_codes = [1]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq success "$(json_get '.tasks[0].result')" "result of three-ok"
assert_eq 3 "$(json_get '.tasks[0].exit_status')" "exit_status of three-ok"
assert_eq failed "$(json_get '.tasks[1].result')" "result of zero-not-ok"
assert_eq "failed: exit status 0" "$(json_get '.tasks[1].detail')" "detail of zero-not-ok"
