#!/bin/bash
# SPDX-License-Identifier: MIT
# A task skipped because another run holds its lock keeps the series of its
# last real run; the task that did run is updated.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
mkdir -p "$PROM_DIR"

make_config <<TOML
$(metrics_table)

[[task]]
name = "busy"
command = ["/bin/sh", "-c", "exit 2"]

[[task]]
name = "free"
command = ["/bin/true"]
TOML

run_pt --config "$CFG"
assert_rc 1
busy_before=$(task_lines busy)
free_first=$(metric last_run_timestamp_seconds free)

hold_lock busy
run_pt --config "$CFG"
assert_rc 0
assert_eq "$busy_before" "$(task_lines busy)" "series of the locked task"
assert_metric 1 consecutive_failures busy
free_second=$(metric last_run_timestamp_seconds free)
awk -v x="$free_first" -v y="$free_second" 'BEGIN { exit !(y > x) }' ||
    fail "last run of free did not move on: $free_first, then $free_second"
