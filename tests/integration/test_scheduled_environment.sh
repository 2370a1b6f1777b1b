#!/bin/bash
# SPDX-License-Identifier: MIT
# A slot run's environment: PERIODIC_TASKS_SLOT is the slot in UTC and
# PERIODIC_TASKS_AS_OF the slot's date in the schedule's zone (Pacific/Kiritimati,
# UTC+14, where the date differs from UTC's for 14 hours a day); a manual
# run gets PERIODIC_TASKS_SLOT empty.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal
[[ -f /usr/share/zoneinfo/Pacific/Kiritimati ]] || skip "no zone file Pacific/Kiritimati (tzdata)"

zone=Pacific/Kiritimati
local_time=$(TZ=$zone date -d "@$SLOT_BASE" +%H:%M)
schedule="*-*-* $local_time:00 $zone"
make_config <<TOML
[[task]]
name = "env"
schedule = "$schedule"
command = ["/bin/sh", "-c", "echo \"slot=\$PERIODIC_TASKS_SLOT as_of=\$PERIODIC_TASKS_AS_OF\""]
TOML
write_slot_state env "$schedule" "$(daily_slot 2)"

run_pt --config "$CFG" run --scheduled env
assert_rc 0
expected="$(daily_slot 0) as_of=$(TZ=$zone date -d "@$SLOT_BASE" +%F)"
assert_eq "$expected" "$(sed -n 's/^env| slot=//p' "$T/stderr")" "slot and as_of"
assert_contains "$(cat "$T/stderr")" "SCHEDULE=\"$schedule\"" "SCHEDULE of the task's records"

run_pt --config "$CFG" run env --as-of 2024-02-29
assert_rc 0
assert_eq "slot= as_of=2024-02-29" "$(sed -n 's/^env| //p' "$T/stderr")" "a manual run's variables"
assert_eq "$(daily_slot 0)" "$(slot_done env)" "done_through after the manual run"
