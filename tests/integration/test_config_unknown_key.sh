#!/bin/bash
# SPDX-License-Identifier: MIT
# An unknown key is a config error (exit 78) naming file, line and column,
# the task and the key it probably meant; no task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]

[[task]]
name = "backup"
command = ["/bin/true"]
timout = "5s"
TOML

run_pt --config "$CFG"
assert_rc 78
assert_eq "periodic_tasks: error: $CFG:8:1: unknown key \"timout\" in task \"backup\"; did you mean \"timeout\"?" \
    "$(cat "$T/stderr")" "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
