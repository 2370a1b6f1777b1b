#!/bin/bash
# SPDX-License-Identifier: MIT
# run --scheduled with catch_up = "none": a slot an hour late does not run
# (exit 0, the slot file unchanged); a minutely task's current slot is due
# now and runs with TRIGGER=timer.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal

make_config <<TOML
$(daily_task_toml none)

[[task]]
name = "minutely"
schedule = "minutely"
catch_up = "none"
command = ["/bin/sh", "-c", "echo slot=\$PERIODIC_TASKS_SLOT"]
TOML
write_slot_state daily "$DAILY" "$(daily_slot 3)"
write_slot_state minutely "*-*-* *:*:00 UTC" "$(utc $(($(date +%s) - 600)))"

run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "" "$(ran_slots daily)" "slots run"
assert_contains "$(cat "$T/stderr")" "catch_up = \"none\": slot $(daily_slot 0) is more than 2min old; not run" "why"
assert_eq "$(daily_slot 3)" "$(slot_done daily)" "done_through"

run_pt --config "$CFG" run --scheduled minutely
assert_rc 0
slot=$(ran_slots minutely)
assert_match "$slot" '^[0-9-]+T[0-9:]+:00Z$' "the minutely slot"
assert_contains "$(cat "$T/stderr")" "TRIGGER=timer SLOT=$slot" "the run's fields"
assert_eq "$slot" "$(slot_done minutely)" "done_through"
