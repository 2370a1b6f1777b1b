#!/bin/bash
# SPDX-License-Identifier: MIT
# kill_timeout = "infinity" would never stop a task that ignores SIGTERM: it is
# a config error (exit 78) at the value, for `check` and `run` alike, and no
# task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]

[[task]]
name = "stubborn"
command = ["/bin/sh", "-c", "trap '' TERM; sleep 600"]
kill_timeout = "infinity"
TOML

expected="periodic_tasks: error: $CFG:8:16: \"kill_timeout\" in task \"stubborn\" must be a finite time span, not \"infinity\"; a task that ignores SIGTERM would never be stopped; use a span such as \"30s\", or \"0\" to send SIGKILL at once"
run_pt --config "$CFG" check
assert_rc 78
assert_eq "$expected" "$(cat "$T/stderr")" "check's stderr"
run_pt --config "$CFG" run
assert_rc 78
assert_eq "$expected" "$(cat "$T/stderr")" "run's stderr"
assert_absent "$T/first-ran" "the marker of the first task"
