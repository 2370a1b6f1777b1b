#!/bin/bash
# SPDX-License-Identifier: MIT
# `check` on an invalid config prints the error and exits 78.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "backup"
command = ["/bin/true"]
timout = "5s"
TOML

run_pt --config "$CFG" check
assert_rc 78
assert_eq "periodic_tasks: error: $CFG:4:1: unknown key \"timout\" in task \"backup\"; did you mean \"timeout\"?" \
    "$(cat "$T/stderr")" "stderr"
