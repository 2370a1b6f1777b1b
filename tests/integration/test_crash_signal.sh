#!/bin/bash
# SPDX-License-Identifier: MIT
# A task killed by a signal (SIGSEGV) is "killed", names the signal, has no
# exit status; the next task still runs; the run exits 1.
. "$(dirname "$0")/common.sh"
require_jq
ulimit -c 0 # no core file, whatever kernel.core_pattern says

make_config <<TOML
[[task]]
name = "crash"
command = ["/bin/sh", "-c", "kill -SEGV \$\$"]
working_directory = "$T"

[[task]]
name = "after"
command = ["/bin/sh", "-c", "echo ran > $T/after-ran"]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq killed "$(json_get '.tasks[0].result')" "result"
assert_eq SIGSEGV "$(json_get '.tasks[0].signal')" "signal"
assert_eq null "$(json_get '.tasks[0].exit_status')" "exit_status"
assert_eq false "$(json_get '.tasks[0].core_dumped')" "core_dumped (ulimit -c 0)"
assert_contains "$(json_get '.tasks[0].detail')" SIGSEGV "detail"
assert_exists "$T/after-ran" "the marker of the task after the crash"
