#!/bin/bash
# SPDX-License-Identifier: MIT
# An unparsable duration is a config error (exit 78) pointing at the value
# and naming the key; no task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]

[[task]]
name = "slow"
command = ["/bin/true"]
timeout = "5 parsecs"
TOML

run_pt --config "$CFG"
assert_rc 78
stderr=$(cat "$T/stderr")
assert_match "$stderr" "^periodic_tasks: error: $CFG:8:[0-9]+: " "location"
assert_contains "$stderr" '"5 parsecs"' "stderr"
assert_contains "$stderr" 'timeout' "stderr"
assert_contains "$stderr" 'task "slow"' "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
