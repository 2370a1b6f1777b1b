#!/bin/bash
# SPDX-License-Identifier: MIT
# `list` and `status` show a scheduled task's schedule and next elapse, and
# `status` the missed slots a scheduled run would catch up on now, from the
# slot state (the same selection as the run's): three after three days
# down, none once `run --scheduled` ran them.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
. "$(dirname "$0")/slots.sh"
require_jq

body() {
    make_config <<TOML
$(daily_task_toml all '["/bin/true"]')

[[task]]
name = "plain"
command = ["/bin/true"]
TOML
    write_slot_state daily "$DAILY" "$(daily_slot 3)"
    run_pt --config "$CFG" list --json
    cp "$T/stdout" "$T/list.json"
    run_pt --config "$CFG" list
    cp "$T/stdout" "$T/list.txt"
    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/before.json"
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/before.txt"
    run_pt --config "$CFG" run --scheduled daily
    assert_rc 0
    journalctl --sync
    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/after.json"
}
with_private_journal body

next=$(utc $((SLOT_BASE + 86400)))
assert_eq "$DAILY|$next" "$(json_get '.tasks[0] | "\(.schedule | join(";"))|\(.next)"' "$T/list.json")" "list --json: daily"
assert_eq "0|null" "$(json_get '.tasks[1] | "\(.schedule | length)|\(.next)"' "$T/list.json")" "list --json: plain"
assert_match "$(sed -n 1p "$T/list.txt")" 'SCHEDULE +NEXT' "list header"
assert_match "$(sed -n 2p "$T/list.txt")" "daily .*$(TZ=UTC date -d "@$((SLOT_BASE + 86400))" '+%Y-%m-%d %H:%M:%S')" "list row of daily (NEXT in local time)"

assert_eq "$DAILY" "$(json_get '.tasks[0].schedule' "$T/before.json")" "status --json: schedule"
assert_eq "$next" "$(json_get '.tasks[0].next' "$T/before.json")" "status --json: next"
assert_eq "$(daily_slot 2) $(daily_slot 1) $(daily_slot 0)" "$(json_get '.tasks[0].catch_up | join(" ")' "$T/before.json")" "status --json: catch_up before the run"
assert_eq "null 0" "$(json_get '.tasks[1] | "\(.schedule) \(.catch_up | length)"' "$T/before.json")" "status --json: plain"
assert_match "$(grep '^daily ' "$T/before.txt")" ' 3 since ' "status: CATCH-UP of daily"
assert_eq "" "$(json_get '.tasks[0].catch_up | join(" ")' "$T/after.json")" "status --json: catch_up after the run"
