#!/bin/bash
# SPDX-License-Identifier: MIT
# A run of one named task rewrites only that task's series: the others keep
# exactly what earlier runs recorded.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
mkdir -p "$PROM_DIR"

make_config <<TOML
$(metrics_table)

[[task]]
name = "a"
command = ["/bin/true"]

[[task]]
name = "b"
command = ["/bin/sh", "-c", "exit 4"]

[[task]]
name = "c"
command = ["/bin/true"]
TOML

run_pt --config "$CFG"
assert_rc 1
a_before=$(task_lines a)
b_before=$(task_lines b)
[[ -n $a_before && -n $b_before ]] || fail "the first run wrote no series for a or b"
c_first=$(metric last_run_timestamp_seconds c)

run_pt --config "$CFG" run c
assert_rc 0
assert_eq "$a_before" "$(task_lines a)" "series of a after a run of c"
assert_eq "$b_before" "$(task_lines b)" "series of b after a run of c"
c_second=$(metric last_run_timestamp_seconds c)
awk -v x="$c_first" -v y="$c_second" 'BEGIN { exit !(y > x) }' ||
    fail "last run of c did not move on: $c_first, then $c_second"
assert_metric 1 consecutive_failures b
assert_textfile_clean
