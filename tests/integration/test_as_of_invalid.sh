#!/bin/bash
# SPDX-License-Identifier: MIT
# A malformed or impossible --as-of date is a usage error (exit 64), and
# nothing runs.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "report"
command = ["/bin/sh", "-c", "echo ran >> $T/ran"]
TOML

for date in 2023-02-29 2024-13-01 2024-04-31 2024-00-10 2024-1-5 24-01-05 yesterday "" \
    "2024-01-05 " 2024-01-05T00:00; do
    run_pt --config "$CFG" --as-of "$date"
    [[ $PT_RC == 64 ]] || fail "--as-of '$date': expected exit status 64, got $PT_RC"
    assert_contains "$(cat "$T/stderr")" "periodic_tasks: error: " "stderr for --as-of '$date'"
done
assert_absent "$T/ran" "the marker of the task"
