#!/bin/bash
# SPDX-License-Identifier: MIT
# A task that closes stdout and stderr and then hangs still times out: end of
# output is not the end of the task.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "quiet"
command = ["/bin/bash", "-c", "exec >&- 2>&-; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "1s"
kill_timeout = "1s"
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq timeout "$(json_get '.tasks[0].result')" "result"
no_process_matching "$MARK"
