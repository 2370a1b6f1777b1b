#!/bin/bash
# SPDX-License-Identifier: MIT
# Signals beyond TERM/INT/HUP whose default action would kill the runner
# (SIGUSR1, SIGALRM, a real-time signal, ...) stop the run as SIGTERM does:
# the task's tree is stopped, nothing more starts, the summary is written and
# the runner exits 128+n. Killed outright, it would leave the task running.
. "$(dirname "$0")/common.sh"
require_jq

make_interrupt_config

for signal in USR1 ALRM RTMIN+2; do
    number=$(kill -l "$signal")
    rm -f "$T/started"
    start_runner "$T/started"
    stop_runner "$signal"
    assert_rc $((128 + number))
    no_process_matching "$MARK"
    assert_absent "$T/later-ran" "the marker of the task after the interrupted one"
    assert_eq $((128 + number)) "$(json_get '.exit_code')" "exit_code in the JSON after SIG$signal"
    assert_eq interrupted "$(json_get '.tasks[1].skip_reason')" "skip_reason of later after SIG$signal"
done
