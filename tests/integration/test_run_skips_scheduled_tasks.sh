#!/bin/bash
# SPDX-License-Identifier: MIT
# `run` with no names runs the enabled tasks without a schedule only (the
# scheduled ones have timers of their own); `run NAME` still runs a
# scheduled task by hand (TRIGGER=manual) and marks no slot done.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_jq
require_no_journal

make_config <<TOML
[[task]]
name = "plain"
command = ["/bin/true"]

[[task]]
name = "timed"
schedule = "daily"
command = ["/bin/true"]
TOML

run_pt --config "$CFG" run --json
assert_rc 0
assert_eq "plain" "$(json_get '[.tasks[].name] | join(" ")')" "tasks run with no names"

run_pt --config "$CFG" run timed --json
assert_rc 0
assert_eq "timed manual" "$(json_get '.tasks[0].name + " " + .trigger')" "the scheduled task run by hand"
assert_absent "$SLOTS_DIR/timed"
