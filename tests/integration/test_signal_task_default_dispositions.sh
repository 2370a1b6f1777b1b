#!/bin/bash
# SPDX-License-Identifier: MIT
# A task starts with every signal at its default action and none blocked,
# whatever the runner catches or ignores itself (SIGPIPE, SIGXFSZ, SIGUSR1, ...):
# SIGUSR1 kills it, and its SigIgn and SigBlk masks in /proc are empty.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "masks"
command = ["/bin/sh", "-c", "grep -E '^Sig(Ign|Blk):' /proc/self/status > $T/masks"]

[[task]]
name = "usr1"
command = ["/bin/sh", "-c", "kill -USR1 \$\$; sleep 5"]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq 0000000000000000 "$(awk '$1 == "SigBlk:" { print $2 }' "$T/masks")" "the task's blocked signals"
# Signals 32 and 33 stay ignored: glibc's posix_spawn ignores its own two
# internal signals in every child (no program may use them; SIGRTMIN is 34).
ignored=$(awk '$1 == "SigIgn:" { print $2 }' "$T/masks")
assert_eq 0 "$(((16#$ignored) & ~16#180000000))" "the task's ignored signals (SigIgn $ignored)"
assert_eq success "$(json_get '.tasks[0].result')" "result of masks"
assert_eq killed "$(json_get '.tasks[1].result')" "result of usr1"
assert_eq SIGUSR1 "$(json_get '.tasks[1].signal')" "signal of usr1"
