#!/bin/bash
# SPDX-License-Identifier: MIT
# A drop-in that defines a task name the main file already has is a config
# error (exit 78) at the drop-in's line; no task runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "cleanup"
command = ["/bin/sh", "-c", "echo ran > $T/cleanup-ran"]
TOML
make_dropin 50-extra.toml <<TOML
[[task]]
name = "other"
command = ["/bin/true"]

[[task]]
name = "cleanup"
command = ["/bin/true"]
TOML

run_pt --config "$CFG"
assert_rc 78
stderr=$(cat "$T/stderr")
assert_match "$stderr" "^periodic_tasks: error: $T/tasks.d/50-extra.toml:[56]:[0-9]+: " "location"
assert_contains "$stderr" 'duplicate task name "cleanup"' "stderr"
assert_contains "$stderr" "$CFG:1" "stderr (where it was first defined)"
assert_absent "$T/cleanup-ran" "the marker of the first task"
