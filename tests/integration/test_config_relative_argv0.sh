#!/bin/bash
# SPDX-License-Identifier: MIT
# A command whose argv[0] is not an absolute path is a config error (exit 78):
# commands are never looked up in PATH; no task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]

[[task]]
name = "x"
command = ["rm", "-f", "$T/victim"]
TOML
touch "$T/victim"

run_pt --config "$CFG"
assert_rc 78
assert_match "$(cat "$T/stderr")" "^periodic_tasks: error: $CFG:7:[0-9]+: " "location"
assert_contains "$(cat "$T/stderr")" 'argv[0] "rm" in task "x" is not an absolute path' "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
assert_exists "$T/victim" "the file the relative command would remove"
