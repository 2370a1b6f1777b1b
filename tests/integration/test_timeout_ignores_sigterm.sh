#!/bin/bash
# SPDX-License-Identifier: MIT
# A task that ignores SIGTERM is SIGKILLed kill_timeout after its timeout;
# it is still reported "timeout" and nothing of it is left.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "stubborn"
command = ["/bin/bash", "-c", "trap '' TERM; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "1s"
kill_timeout = "1s"
TOML

start=$SECONDS
run_pt --config "$CFG" --json
elapsed=$((SECONDS - start))
assert_rc 1
assert_eq timeout "$(json_get '.tasks[0].result')" "result"
assert_match "$(json_get '.tasks[0].detail')" '^timed out after 1s' "detail"
((elapsed <= 9)) || fail "the run took ${elapsed}s for timeout 1s + kill_timeout 1s"
no_process_matching "$MARK"
