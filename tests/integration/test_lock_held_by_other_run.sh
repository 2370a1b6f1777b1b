#!/bin/bash
# SPDX-License-Identifier: MIT
# While one run executes a task, a second run skips that task and names the
# first run's pid; the lock lives in $RUNTIME_DIRECTORY/<task>.lock.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal # the records checked below are read from stderr

make_config <<TOML
[[task]]
name = "slow"
command = ["/bin/bash", "-c", "touch $T/slow-started; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "60s"
kill_timeout = "1s"
TOML

"$PT_BIN" --config "$CFG" --json </dev/null >"$T/first.stdout" 2>"$T/first.stderr" &
first=$!
BG_PIDS+=("$first")
wait_for_file "$T/slow-started"
assert_exists "$RUNTIME_DIRECTORY/slow.lock" "the lock file"

run_pt --config "$CFG" --json
assert_rc 75
assert_eq skipped "$(json_get '.tasks[0].result')" "result"
assert_eq locked "$(json_get '.tasks[0].skip_reason')" "skip_reason"
assert_eq "$first" "$(json_get '.tasks[0].holder_pid')" "holder_pid"
assert_contains "$(json_get '.tasks[0].detail')" "already running (pid $first)" "detail"
assert_file_contains "$T/stderr" "task \"slow\" skipped: already running (pid $first)"

kill -TERM "$first"
wait_for_exit "$first" 10
no_process_matching "$MARK"
