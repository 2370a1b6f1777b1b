#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM during a run with $NOTIFY_SOCKET set: the signal still reaches the
# runner's main thread (the status thread blocks it), the run ends at once
# with 143, and the last status line says how it ended.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/notify.sh"

make_config <<TOML
[[task]]
name = "long"
command = ["/bin/bash", "-c", "exec -a $MARK-long sleep 300"]
kill_timeout = "5s"

[[task]]
name = "never"
command = ["/bin/true"]
TOML
start_notify_listener

NOTIFY_SOCKET=$T/notify.sock "$PT_BIN" --config "$CFG" </dev/null >"$T/stdout" 2>"$T/stderr" &
runner=$!
BG_PIDS+=("$runner")
wait_for_notify '^STATUS=Running 1/2: long \(0s\)$'
started=$SECONDS
kill -TERM "$runner"
wait_for_exit "$runner" 10
PT_RC=$WAIT_RC PT_ARGS="--config $CFG (SIGTERM, with NOTIFY_SOCKET)"
assert_rc 143
((SECONDS - started <= 3)) || fail "the run took $((SECONDS - started))s to end after SIGTERM"
no_process_matching "$MARK"
wait_for_notify '^STATUS=Interrupted' 5
assert_eq "Interrupted by SIGTERM: 1 killed, 1 not run" "$(notify_statuses | tail -n 1)" \
    "the last status line"
