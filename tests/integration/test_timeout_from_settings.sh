#!/bin/bash
# SPDX-License-Identifier: MIT
# [settings] timeout applies to a task that sets none.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[settings]
timeout = "1s"
kill_timeout = "1s"

[[task]]
name = "hang"
command = ["/bin/bash", "-c", "exec -a \"\$0\" sleep 300", "$MARK"]
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq timeout "$(json_get '.tasks[0].result')" "result"
assert_match "$(json_get '.tasks[0].detail')" '^timed out after 1s' "detail"
no_process_matching "$MARK"
