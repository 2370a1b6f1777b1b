#!/bin/bash
# SPDX-License-Identifier: MIT
# An unknown option is a usage error (exit 64) on stderr; nothing runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "cleanup"
command = ["/bin/sh", "-c", "echo ran > $T/ran"]
TOML

run_pt --config "$CFG" --bogus
assert_rc 64
assert_match "$(cat "$T/stderr")" '^periodic_tasks: error: .*--bogus' "stderr"
assert_absent "$T/ran" "the marker of the task"
