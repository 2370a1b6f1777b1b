#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM to the runner while its task ignores SIGTERM: the task is
# SIGKILLed after its kill_timeout, and the runner exits 143 with nothing left.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "stubborn"
command = ["/bin/bash", "-c", "trap '' TERM; touch $T/started; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "60s"
kill_timeout = "1s"
TOML

start_runner "$T/started"
start=$SECONDS
stop_runner TERM
elapsed=$((SECONDS - start))
assert_rc 143
((elapsed <= 6)) || fail "the runner took ${elapsed}s to stop with kill_timeout 1s"
no_process_matching "$MARK"
assert_eq SIGTERM "$(json_get '.interrupted_by')" "interrupted_by"
