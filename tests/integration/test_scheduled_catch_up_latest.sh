#!/bin/bash
# SPDX-License-Identifier: MIT
# run --scheduled with catch_up = "latest" (the default) after three days
# down: only the newest missed slot runs, as a catch-up.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal

make_daily_task "" 3 # no catch_up: the default

run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "$(daily_slot 0)" "$(ran_slots daily)" "slots run"
assert_contains "$(cat "$T/stderr")" "TRIGGER=catch-up SLOT=$(daily_slot 0)" "the run's fields"
assert_eq "$(daily_slot 0)" "$(slot_done daily)" "done_through after the run"
