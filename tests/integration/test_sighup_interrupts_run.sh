#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGHUP to the runner counts as SIGTERM (docs/cli.md): the task is stopped,
# nothing more starts, exit 143.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "slow"
command = ["/bin/bash", "-c", "touch $T/started; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "60s"
kill_timeout = "1s"

[[task]]
name = "later"
command = ["/bin/sh", "-c", "echo ran > $T/later-ran"]
TOML

"$PT_BIN" --config "$CFG" --json </dev/null >"$T/stdout" 2>"$T/stderr" &
runner=$!
BG_PIDS+=("$runner")
wait_for_file "$T/started"
kill -HUP "$runner"
wait_for_exit "$runner" 10
PT_RC=$WAIT_RC PT_ARGS="--config $CFG --json (SIGHUP)"
assert_rc 143
assert_absent "$T/later-ran" "the marker of the task after the interrupted one"
no_process_matching "$MARK"
assert_eq interrupted "$(json_get '.tasks[1].skip_reason')" "skip_reason of later"
