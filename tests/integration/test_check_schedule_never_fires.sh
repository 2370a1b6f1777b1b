#!/bin/bash
# SPDX-License-Identifier: MIT
# `check` warns about a schedule expression that never fires again: a date in
# the past or a day that never comes. systemd accepts both, so they are valid
# (exit 0, the run and the generator take them), but the task would silently
# never run on that expression: each gets a warning with file:line:col.
. "$(dirname "$0")/common.sh"

make_config <<'TOML'
[[task]]
name = "fine"
schedule = ["daily", "2099-01-01"]
command = ["/bin/true"]

[[task]]
name = "gone"
schedule = ["2020-01-01 08:00", "*-02-30"]
command = ["/bin/true"]
TOML
run_pt --config "$CFG" check
assert_rc 0
assert_eq "$CFG: OK, 2 tasks from 1 file (2 warnings on stderr)" "$(cat "$T/stdout")" "check's verdict"
assert_eq "periodic_tasks: warning: $CFG:8:14: schedule \"2020-01-01 08:00\" in task \"gone\" never fires after now; hint: a date in the past or a day that never comes (such as February 30) runs nothing; give a calendar that repeats
periodic_tasks: warning: $CFG:8:34: schedule \"*-02-30\" in task \"gone\" never fires after now; hint: a date in the past or a day that never comes (such as February 30) runs nothing; give a calendar that repeats" \
    "$(cat "$T/stderr")" "the warnings"
echo "PASS: $TEST_NAME"
