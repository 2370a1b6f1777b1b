#!/bin/bash
# SPDX-License-Identifier: MIT
# A SQL task binds `slot` with params = ["slot"]: a slot run binds the slot's
# UTC text, which casts to timestamptz (and current_setting('periodic_tasks.slot')
# has it too); a manual run binds NULL.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal
pg_start
pg_app_sql "CREATE TABLE seen (slot timestamptz, setting text)"

make_config <<TOML
[databases.main]
conninfo = "$PT_PG_APP_CONNINFO"

[[task]]
name = "record"
schedule = "$DAILY"
catch_up = "all"
sql = ["INSERT INTO seen VALUES (\$1::timestamptz, current_setting('periodic_tasks.slot'))"]
params = ["slot"]
TOML
write_slot_state record "$DAILY" "$(daily_slot 2)"

run_pt --config "$CFG" run --scheduled record
assert_rc 0
expected="$SLOT_BASE|$(daily_slot 0)"
assert_eq "$((SLOT_BASE - 86400))|$(daily_slot 1)
$expected" "$(pg_app_sql "SELECT extract(epoch FROM slot)::bigint, setting FROM seen ORDER BY slot")" "slots bound"

run_pt --config "$CFG" run record
assert_rc 0
assert_eq "1" "$(pg_app_sql "SELECT count(*) FROM seen WHERE slot IS NULL AND setting = ''")" "a manual run binds NULL"
