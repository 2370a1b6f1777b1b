#!/bin/bash
# SPDX-License-Identifier: MIT
# A stop request by SIGUSR1, SIGHUP, SIGALRM or a real-time signal reaches the
# running task as SIGTERM, the stop it is written for: a task that uses
# SIGUSR1 or SIGHUP for something else (reopen its logs) must still stop
# cleanly, not keep running until SIGKILL. SIGINT stays SIGINT.
. "$(dirname "$0")/common.sh"

task=$(make_script task.sh <<'SH'
#!/bin/bash
# Records each signal it gets; only TERM and INT end it.
for s in USR1 USR2 HUP ALRM RTMIN+2; do
    trap "echo $s >>\"\$LOG\"" "$s"
done
trap 'echo TERM >>"$LOG"; exit 0' TERM
trap 'echo INT >>"$LOG"; exit 0' INT
touch "$LOG.started"
while :; do sleep 0.05; done
SH
)
make_config <<TOML
[[task]]
name = "reopens-logs"
command = ["$task"]
environment = { LOG = "$T/signals" }
timeout = "60s"
kill_timeout = "30s"
TOML

for signal in USR1 HUP ALRM RTMIN+2 INT; do
    rm -f "$T/signals" "$T/signals.started"
    "$PT_BIN" --config "$CFG" </dev/null >"$T/stdout" 2>"$T/stderr" &
    runner=$!
    BG_PIDS+=("$runner")
    wait_for_file "$T/signals.started"
    kill -s "$signal" "$runner"
    # Well within kill_timeout (30 s): the task stopped by itself.
    wait_for_exit "$runner" 15
    expected=TERM
    [[ $signal == INT ]] && expected=INT
    assert_eq "$expected" "$(cat "$T/signals")" "what the task got when the runner got SIG$signal"
done
echo "PASS: $TEST_NAME"
