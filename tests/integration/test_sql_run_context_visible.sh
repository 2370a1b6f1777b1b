#!/bin/bash
# SPDX-License-Identifier: MIT
# The run context reaches SQL both as bound parameters and as transaction-
# local settings (current_setting('periodic_tasks.as_of') and the others),
# and while the task runs pg_stat_activity shows application_name
# "periodic_tasks <task> <first 8 hex digits of the run id>".
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE ctx (as_of text, run_id text, task text, dry_run text, app text, p_as_of text, p_run_id text)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "ctx-probe"
sql = ["""INSERT INTO ctx SELECT current_setting('periodic_tasks.as_of'), current_setting('periodic_tasks.run_id'),
        current_setting('periodic_tasks.task'), current_setting('periodic_tasks.dry_run'),
        current_setting('application_name'), \$1, \$2""", "SELECT pg_sleep(2)"]
params = ["as_of", "run_id"]
timeout = "20s"
TOML
"$PT_BIN" --config "$CFG" --as-of 2024-02-29 --json </dev/null >"$T/stdout" 2>"$T/stderr" &
runner=$!
BG_PIDS+=("$runner")
seen=
for ((i = 0; i < 150; i++)); do
    seen=$(pg_sql "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'periodic_tasks ctx-probe %' AND wait_event = 'PgSleep'")
    [[ -n $seen ]] && break
    sleep 0.02
done
wait_for_exit "$runner" 20
assert_eq 0 "$WAIT_RC" "exit status"
run_id=$(json_get '.run_id')
assert_match "$run_id" '^[0-9a-f]{32}$' "run_id"
assert_eq "periodic_tasks ctx-probe ${run_id:0:8}" "$seen" "application_name in pg_stat_activity during the task"
IFS='|' read -r as_of r task dry app p_as_of p_run_id <<<"$(pg_app_sql 'SELECT * FROM ctx')"
assert_eq 2024-02-29 "$as_of" "current_setting('periodic_tasks.as_of')"
assert_eq "$run_id" "$r" "current_setting('periodic_tasks.run_id')"
assert_eq ctx-probe "$task" "current_setting('periodic_tasks.task')"
assert_eq false "$dry" "current_setting('periodic_tasks.dry_run')"
assert_eq "periodic_tasks ctx-probe ${run_id:0:8}" "$app" "current_setting('application_name')"
assert_eq 2024-02-29 "$p_as_of" "\$1 (as_of)"
assert_eq "$run_id" "$p_run_id" "\$2 (run_id)"
