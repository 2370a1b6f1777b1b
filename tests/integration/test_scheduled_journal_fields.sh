#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald: the records of a slot run carry SLOT=, SCHEDULE= and
# TRIGGER=catch-up or timer; systemd's $TRIGGER_TIMER_REALTIME_USEC and
# _MONOTONIC_USEC are logged as given (and do not pick the slot); the plan
# is a debug record (PRIORITY 7) with SLOT_COUNT=.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
. "$(dirname "$0")/slots.sh"
require_jq

body() {
    make_daily_task all 2 '["/bin/true"]'
    # A firing time that is no slot at all: it must only be logged.
    TRIGGER_TIMER_REALTIME_USEC=1000000 TRIGGER_TIMER_MONOTONIC_USEC=42 \
        run_pt --config "$CFG" run --scheduled daily
}
with_private_journal body
assert_rc 0

journal_records TASK=daily >"$T/records.json"
started='.[] | select(.MESSAGE | startswith("task \"daily\" started"))'
assert_eq "$(daily_slot 1) $(daily_slot 0)" "$(json_get "[$started | .SLOT] | join(\" \")" "$T/records.json")" "SLOT of the task started records"
assert_eq "catch-up catch-up" "$(json_get "[$started | .TRIGGER] | join(\" \")" "$T/records.json")" "TRIGGER"
assert_eq "$DAILY" "$(json_get "[$started | .SCHEDULE] | unique | join(\" \")" "$T/records.json")" "SCHEDULE"
plan='.[] | select(.SLOT_COUNT != null)'
assert_eq 7 "$(json_get "$plan | .PRIORITY" "$T/records.json")" "PRIORITY of the plan record"
assert_eq 2 "$(json_get "$plan | .SLOT_COUNT" "$T/records.json")" "SLOT_COUNT"
assert_eq 1000000 "$(json_get "$plan | .TRIGGER_TIMER_REALTIME_USEC" "$T/records.json")" "TRIGGER_TIMER_REALTIME_USEC"

journal_records MESSAGE_ID=0004605027dad2bf2ecc5a79b94c54b1 >"$T/runs.json"
assert_eq "1000000 1000000" "$(json_get '[.[] | .TRIGGER_TIMER_REALTIME_USEC] | join(" ")' "$T/runs.json")" "TRIGGER_TIMER_REALTIME_USEC of the run records"
assert_eq "42 42" "$(json_get '[.[] | .TRIGGER_TIMER_MONOTONIC_USEC] | join(" ")' "$T/runs.json")" "TRIGGER_TIMER_MONOTONIC_USEC"
assert_eq "$(daily_slot 1) $(daily_slot 0)" "$(json_get '[.[] | .SLOT] | join(" ")' "$T/runs.json")" "SLOT of the run records"
