#!/bin/bash
# SPDX-License-Identifier: MIT
# Two runs of different tasks that end at the same moment both land in the
# textfile: read-merge-write is serialized, so no update is lost.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
mkdir -p "$PROM_DIR"

# Each task says it is waiting, waits for the start signal, then fails, so
# its consecutive_failures counts the runs that reached the textfile.
make_config <<TOML
$(metrics_table)

[[task]]
name = "a"
command = ["/bin/sh", "-c", "touch $T/a-waiting; while [ ! -e $T/go ]; do sleep 0.005; done; exit 1"]

[[task]]
name = "b"
command = ["/bin/sh", "-c", "touch $T/b-waiting; while [ ! -e $T/go ]; do sleep 0.005; done; exit 1"]
TOML

rounds=8
for ((round = 1; round <= rounds; round++)); do
    rm -f "$T/go" "$T/a-waiting" "$T/b-waiting"
    "$PT_BIN" --config "$CFG" run a >"$T/a.out" 2>&1 &
    pid_a=$!
    "$PT_BIN" --config "$CFG" run b >"$T/b.out" 2>&1 &
    pid_b=$!
    BG_PIDS+=("$pid_a" "$pid_b")
    wait_for_file "$T/a-waiting"
    wait_for_file "$T/b-waiting"
    touch "$T/go"
    wait_for_exit "$pid_a" 30
    assert_eq 1 "$WAIT_RC" "exit status of the run of a (round $round): $(cat "$T/a.out")"
    wait_for_exit "$pid_b" 30
    assert_eq 1 "$WAIT_RC" "exit status of the run of b (round $round): $(cat "$T/b.out")"
    assert_metric "$round" consecutive_failures a
    assert_metric "$round" consecutive_failures b
done
assert_textfile_clean
