#!/bin/bash
# SPDX-License-Identifier: MIT
# A process the task left behind, even one detached from its output, is
# stopped when the task's main process exits; the task still succeeds.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "daemonize"
command = ["/bin/bash", "-c", "(exec -a \"\$0\" sleep 300) </dev/null >/dev/null 2>&1 & echo started", "$MARK"]
kill_timeout = "1s"
TOML

run_pt --config "$CFG" --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
no_process_matching "$MARK"
