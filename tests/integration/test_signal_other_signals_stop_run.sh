#!/bin/bash
# SPDX-License-Identifier: MIT
# Signals beyond TERM/INT/HUP whose default action would kill the runner
# (SIGUSR1, SIGALRM, a real-time signal, ...) stop the run as SIGTERM does:
# the task's tree is stopped, nothing more starts, the summary is written and
# the runner exits 128+n. Killed outright, it would leave the task running.
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

for signal in USR1 ALRM RTMIN+2; do
    number=$(kill -l "$signal")
    rm -f "$T/started"
    "$PT_BIN" --config "$CFG" --json </dev/null >"$T/stdout" 2>"$T/stderr" &
    runner=$!
    BG_PIDS+=("$runner")
    wait_for_file "$T/started"
    kill -s "$signal" "$runner"
    wait_for_exit "$runner" 10
    PT_RC=$WAIT_RC PT_ARGS="--config $CFG --json (SIG$signal)"
    assert_rc $((128 + number))
    no_process_matching "$MARK"
    assert_absent "$T/later-ran" "the marker of the task after the interrupted one"
    assert_eq $((128 + number)) "$(json_get '.exit_code')" "exit_code in the JSON after SIG$signal"
    assert_eq interrupted "$(json_get '.tasks[1].skip_reason')" "skip_reason of later after SIG$signal"
done
