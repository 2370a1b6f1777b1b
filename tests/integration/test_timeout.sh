#!/bin/bash
# SPDX-License-Identifier: MIT
# A task that hangs past its timeout is stopped (SIGTERM) and reported
# "timeout"; the next task still runs; nothing of it is left running.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "hang"
command = ["/bin/bash", "-c", "exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "1s"
kill_timeout = "1s"

[[task]]
name = "after"
command = ["/bin/sh", "-c", "echo ran > $T/after-ran"]
TOML

start=$SECONDS
run_pt --config "$CFG" --json
elapsed=$((SECONDS - start))
assert_rc 1
assert_eq timeout "$(json_get '.tasks[0].result')" "result"
assert_match "$(json_get '.tasks[0].detail')" '^timed out after 1s' "detail"
assert_eq null "$(json_get '.tasks[0].exit_status')" "exit_status"
assert_exists "$T/after-ran" "the marker of the task after the timeout"
((elapsed <= 8)) || fail "the run took ${elapsed}s for a 1s timeout"
no_process_matching "$MARK"
