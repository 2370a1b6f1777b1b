#!/bin/bash
# SPDX-License-Identifier: MIT
# The textfile, with every metric family present, passes `promtool check
# metrics` (Prometheus' own parser and naming lint).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
require_tool promtool
mkdir -p "$PROM_DIR"

make_config <<TOML
$(metrics_table)

[[task]]
name = "ok"
command = ["/bin/true"]

[[task]]
name = "fails"
command = ["/bin/sh", "-c", "exit 3"]

[[task]]
name = "slow"
command = ["/bin/sleep", "5"]
timeout = "200ms"
kill_timeout = "1s"

[[task]]
name = "crash"
command = ["/bin/sh", "-c", "kill -SEGV \$\$"]

[[task]]
name = "missing"
command = ["/nonexistent/program"]
TOML

run_pt --config "$CFG"
assert_rc 1
run_pt --config "$CFG" run ok
assert_rc 0
for family in last_run_timestamp_seconds last_success_timestamp_seconds last_duration_seconds \
    last_result consecutive_failures last_exit_status; do
    assert_file_contains "$PROM" "# TYPE periodic_tasks_$family gauge"
done
assert_result crash killed
assert_result missing error

promtool check metrics <"$PROM" >"$T/promtool.out" 2>&1 ||
    fail "promtool check metrics failed: $(cat "$T/promtool.out")"$'\n'"$(cat "$PROM")"
assert_eq "" "$(cat "$T/promtool.out")" "promtool's findings"
