#!/bin/bash
# SPDX-License-Identifier: MIT
# A command that cannot be executed is result "error" with the errno text;
# the next task still runs; the run exits 1.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "ghost"
command = ["/no/such", "--flag"]

[[task]]
name = "after"
command = ["/bin/sh", "-c", "echo ran > $T/after-ran"]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq error "$(json_get '.tasks[0].result')" "result"
assert_eq "cannot execute /no/such: No such file or directory" "$(json_get '.tasks[0].detail')" "detail"
assert_eq null "$(json_get '.tasks[0].exit_status')" "exit_status"
assert_exists "$T/after-ran" "the marker of the task after the missing one"
