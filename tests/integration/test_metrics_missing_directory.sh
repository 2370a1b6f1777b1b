#!/bin/bash
# SPDX-License-Identifier: MIT
# Without the textfile's directory the tasks still run and the exit status is
# theirs; the failure is a warning (on stderr when there is no journal), and
# the directory is not created.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
require_jq
require_no_journal

make_config <<TOML
$(metrics_table)

[[task]]
name = "good"
command = ["/bin/sh", "-c", "echo ran > $T/good-ran"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
assert_exists "$T/good-ran"
assert_eq success "$(json_get '.tasks[0].result')" "result of good"
assert_contains "$(cat "$T/stderr")" \
    "periodic_tasks: metrics not written to $PROM: cannot open directory $PROM_DIR: No such file or directory [" \
    "stderr"
assert_contains "$(cat "$T/stderr")" "METRICS_FILE=$PROM " "stderr"
assert_absent "$PROM_DIR"

# A failing task keeps its exit status 1.
cat >>"$CFG" <<TOML

[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 3"]
TOML
run_pt --config "$CFG"
assert_rc 1
assert_contains "$(cat "$T/stderr")" "periodic_tasks: metrics not written to $PROM" "stderr"
