#!/bin/bash
# SPDX-License-Identifier: MIT
# A TOML syntax error is a config error (exit 78) with FILE:LINE:COL of the
# bad line; no task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]

[[task]]
name = "broken
command = ["/bin/true"]
TOML

run_pt --config "$CFG"
assert_rc 78
assert_match "$(cat "$T/stderr")" "^periodic_tasks: error: $CFG:6:[0-9]+: " "stderr"
assert_eq 1 "$(wc -l <"$T/stderr")" "lines on stderr"
assert_absent "$T/first-ran" "the marker of the first task"
