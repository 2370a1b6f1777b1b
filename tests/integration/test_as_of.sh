#!/bin/bash
# SPDX-License-Identifier: MIT
# --as-of DATE reaches the task as PERIODIC_TASKS_AS_OF and the summary's as_of.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "report"
command = ["/bin/sh", "-c", "echo \"\$PERIODIC_TASKS_AS_OF\" > $T/as-of"]
TOML

run_pt --config "$CFG" --as-of 2024-02-29 --json
assert_rc 0
assert_eq 2024-02-29 "$(cat "$T/as-of")" "PERIODIC_TASKS_AS_OF"
assert_eq 2024-02-29 "$(json_get '.as_of')" "as_of"
