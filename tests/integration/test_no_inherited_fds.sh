#!/bin/bash
# SPDX-License-Identifier: MIT
# A task gets file descriptors 0, 1 and 2 only: none of the runner's caller's
# (fd 7 here), none of the runner's own (lock, log, pipes).
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "fds"
# bash, not dash: dash keeps a saved copy of a redirected fd (10) itself.
command = ["/bin/bash", "-c", "ls /proc/\$\$/fd > $T/fds; true"]
TOML

exec 7>"$T/leak" 8<"$CFG"
run_pt --config "$CFG"
exec 7>&- 8<&-
assert_rc 0
assert_eq $'0\n1\n2' "$(sort -n "$T/fds")" "the task's open file descriptors"
