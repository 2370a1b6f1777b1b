#!/bin/bash
# SPDX-License-Identifier: MIT
# Without --json the run ends with a table TASK RESULT DURATION DETAIL on
# stdout, one row per task, and a totals line.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "good"
command = ["/bin/true"]

[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 3"]

[[task]]
name = "busy"
command = ["/bin/true"]
TOML
hold_lock busy

run_pt --config "$CFG"
assert_rc 1
out=$(cat "$T/stdout")
assert_match "$(sed -n 1p "$T/stdout")" '^TASK +RESULT +DURATION +DETAIL$' "header line"
assert_match "$out" $'\ngood +success +[0-9.]+s +' "row of good"
assert_match "$out" $'\nbad +failed +[0-9.]+s +failed: exit status 3' "row of bad"
assert_match "$out" $'\nbusy +skipped +' "row of busy"
assert_match "$out" $'\n3 tasks: 1 succeeded, 1 failed, 1 skipped in [0-9]' "totals line"
