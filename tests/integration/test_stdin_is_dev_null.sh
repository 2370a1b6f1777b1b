#!/bin/bash
# SPDX-License-Identifier: MIT
# A task's stdin is /dev/null, whatever the runner's stdin is.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "reader"
command = ["/bin/sh", "-c", "readlink /proc/self/fd/0 > $T/stdin; cat >> $T/stdin"]
TOML
echo "the runner's own input" >"$T/input"

PT_STDIN="$T/input" run_pt --config "$CFG"
assert_rc 0
assert_eq /dev/null "$(cat "$T/stdin")" "the task's stdin and what it read"
