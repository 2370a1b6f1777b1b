#!/bin/bash
# SPDX-License-Identifier: MIT
# A scheduled task seen for the first time (no slot file), or whose schedule
# changed since its slot file was written, runs no history, whatever its
# catch_up: today's slot an hour ago does not run; the slot file then holds
# the new schedule and a baseline of now, so the slots after it will run.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal

make_daily_task all # and no slot file

before=$(date +%s)
run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "" "$(ran_slots daily)" "slots run at first sight"
assert_contains "$(cat "$T/stderr")" "first run of this schedule: no slot is due now" "why"
done=$(date -u -d "$(slot_done daily)" +%s)
((done >= before)) || fail "the baseline $(slot_done daily) is before the run"
assert_file_contains "$SLOTS_DIR/daily" "schedule=$DAILY"

# The schedule changed (weekly before): still no history.
write_slot_state daily "Mon *-*-* 08:00:00 UTC" "$(daily_slot 5)"
run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "" "$(ran_slots daily)" "slots run after a schedule change"
assert_contains "$(cat "$T/stderr")" "schedule changed: no slot is due now" "why"
assert_file_contains "$SLOTS_DIR/daily" "schedule=$DAILY"
