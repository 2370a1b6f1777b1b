#!/bin/bash
# SPDX-License-Identifier: MIT
# A plain run leaves disabled tasks alone; with nothing enabled it exits 0.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "reindex"
command = ["/bin/sh", "-c", "echo ran > $T/reindex-ran"]
enabled = false
TOML

run_pt --config "$CFG"
assert_rc 0
assert_absent "$T/reindex-ran" "the marker of the disabled task"
