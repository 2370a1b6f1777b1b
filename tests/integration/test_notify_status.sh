#!/bin/bash
# SPDX-License-Identifier: MIT
# Under systemd ($NOTIFY_SOCKET set) the runner sends STATUS= lines for
# `systemctl status`: the running task with its position and elapsed time,
# refreshed while it runs, a retry's countdown, and the final counts, all from
# the runner's own pid (what NotifyAccess=main accepts). Tasks do not inherit
# $NOTIFY_SOCKET.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/notify.sh"
require_no_journal # the task's output line is read from stderr

make_config <<TOML
[[task]]
name = "slow"
command = ["/bin/sh", "-c", "echo NOTIFY_SOCKET=\${NOTIFY_SOCKET-unset}; exec sleep 3"]

[[task]]
name = "flaky"
command = ["/bin/sh", "-c", "test -e $T/flaky-ran || { touch $T/flaky-ran; exit 75; }"]
retries = 1
retry_delay = "2s"
retry_exit_codes = [75]

# The status line is published from a thread of its own, which sends the
# newest state when it wakes: a task that ends at once may be replaced by the
# next state before its line goes out. Half a second is time enough to see it
# even under a sanitizer on a busy machine.
[[task]]
name = "broken"
command = ["/bin/sh", "-c", "sleep 0.5; exit 1"]
TOML
start_notify_listener

NOTIFY_SOCKET=$T/notify.sock "$PT_BIN" --config "$CFG" </dev/null >"$T/stdout" 2>"$T/stderr" &
runner=$!
BG_PIDS+=("$runner")
wait_for_notify '^STATUS=Running 1/3: slow \(0s\)$'
wait_for_exit "$runner" 30
PT_RC=$WAIT_RC PT_ARGS="--config $CFG (with NOTIFY_SOCKET)"
assert_rc 1
wait_for_notify '^STATUS=Finished: ' 5

# Every message is a STATUS= line sent by the runner's process, not a task.
[[ $(notify_texts | grep -vc '^STATUS=') == 0 ]] || fail "messages other than STATUS=: $(notify_texts)"
assert_eq "$runner" "$(notify_pids)" "the pid every message came from"
texts=$(notify_statuses)
# A burst of records is one message: "Starting: 3 tasks" may be overtaken at once.
assert_match "$texts" $'^(Starting: 3 tasks\n)?Running 1/3: slow \\(0s\\)\n' "the first messages"
# The ticker: the same task again with a later time, while it runs.
assert_match "$texts" $'\nRunning 1/3: slow \\([12]s\\)\n' "the refreshed line of slow"
assert_match "$texts" $'\nRetrying 2/3: flaky \\(attempt 1 failed, attempt 2 in [12]s\\)\n' \
    "the retry's countdown"
assert_match "$texts" $'\nRunning 3/3: broken \\(0s\\)\n' "the last task's line"
assert_eq "Finished: 2 succeeded, 1 failed" "$(tail -n 1 <<<"$texts")" "the last message"
assert_not_contains "$texts" "Done " "the messages"
assert_file_contains "$T/stderr" "slow| NOTIFY_SOCKET=unset"
