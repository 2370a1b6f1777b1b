#!/bin/bash
# SPDX-License-Identifier: MIT
# A task removed from the config loses its series at the next run; a disabled
# task keeps them (it is still configured).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
mkdir -p "$PROM_DIR"

tasks() {
    printf '[[task]]\nname = "%s"\ncommand = ["/bin/true"]\n%s\n' "$@"
}
{
    metrics_table
    tasks keep "" gone "" paused ""
} | make_config
run_pt --config "$CFG"
assert_rc 0
for task in keep gone paused; do
    assert_metric 0 consecutive_failures "$task"
done
paused_before=$(task_lines paused)

{
    metrics_table
    tasks keep "" paused "enabled = false"
} | make_config
run_pt --config "$CFG"
assert_rc 0
assert_eq "" "$(task_lines gone)" "series of the removed task"
assert_eq "$paused_before" "$(task_lines paused)" "series of the disabled task"
assert_metric 0 consecutive_failures keep
