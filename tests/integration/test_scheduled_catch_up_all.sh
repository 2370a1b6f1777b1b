#!/bin/bash
# SPDX-License-Identifier: MIT
# run --scheduled with catch_up = "all" after three days down: every missed
# slot runs, oldest first, each a run of its own with its slot in
# PERIODIC_TASKS_SLOT and TRIGGER=catch-up; the slot file ends at the newest;
# a second firing (a duplicate) runs nothing and exits 0.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal

make_daily_task all 3

run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "$(daily_slot 2) $(daily_slot 1) $(daily_slot 0)" "$(ran_slots daily)" "slots run, oldest first"
assert_eq 3 "$(grep -c '^periodic_tasks: run started: 1 task, .*catch-up of slot' "$T/stderr")" "catch-up runs"
assert_eq 3 "$(grep -o 'RUN_ID=[0-9a-f]*' "$T/stderr" | sort -u | wc -l)" "distinct RUN_IDs"
assert_eq "$(daily_slot 0)" "$(slot_done daily)" "done_through after the run"

run_pt --config "$CFG" run --scheduled daily
assert_rc 0
assert_eq "" "$(ran_slots daily)" "slots run by a duplicate firing"
assert_contains "$(cat "$T/stderr")" "nothing due: slots up to $(daily_slot 0) are done" "the debug record"
