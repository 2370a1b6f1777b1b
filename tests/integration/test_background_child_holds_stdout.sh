#!/bin/bash
# SPDX-License-Identifier: MIT
# A task that exits but leaves a background child holding its stdout does
# not stall the run, and the child is stopped.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "leaky"
command = ["/bin/bash", "-c", "(exec -a \"\$0\" sleep 300) & echo done", "$MARK"]
timeout = "60s"
kill_timeout = "1s"

[[task]]
name = "after"
command = ["/bin/sh", "-c", "echo ran > $T/after-ran"]
TOML

start=$SECONDS
run_pt --config "$CFG" --json
elapsed=$((SECONDS - start))
((elapsed <= 5)) || fail "the run took ${elapsed}s: a background child holding stdout stalled it"
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result of leaky"
assert_eq "done" "$(json_get '.tasks[0].output_tail[-1]')" "last output line of leaky"
assert_exists "$T/after-ran" "the marker of the next task"
no_process_matching "$MARK"
