#!/bin/bash
# SPDX-License-Identifier: MIT
# The runner's connection is terminated (pg_terminate_backend) between two
# SQL tasks, by a command task that finds it by application_name: the next
# SQL task, with no retries, succeeds on a fresh connection.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE seen (task text, pid int)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "first"
sql = "INSERT INTO seen VALUES (\$1, pg_backend_pid())"
params = ["task"]
timeout = "20s"

[[task]]
name = "killer"
command = ["/bin/sh", "-c", "psql \"\$SUPER\" -X -q -A -t -v ON_ERROR_STOP=1 -c \"SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name LIKE 'periodic_tasks %' OR (usename = 'app' AND backend_type = 'client backend')\" >'$T/killed'"]
environment = { SUPER = "$PT_PG_CONNINFO" }

[[task]]
name = "third"
sql = "INSERT INTO seen VALUES (\$1, pg_backend_pid())"
params = ["task"]
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_eq 1 "$(cat "$T/killed")" "backends terminated by the killer task"
assert_eq success "$(json_get '.tasks[] | select(.name == "killer") | .result')" "result of killer"
assert_eq success "$(json_get '.tasks[] | select(.name == "first") | .result')" "result of first"
assert_eq success "$(json_get '.tasks[] | select(.name == "third") | .result')" "result of third"
assert_rc 0
first_pid=$(pg_app_sql "SELECT pid FROM seen WHERE task = 'first'")
third_pid=$(pg_app_sql "SELECT pid FROM seen WHERE task = 'third'")
[[ -n $first_pid && -n $third_pid && $first_pid != "$third_pid" ]] ||
    fail "first ran in backend '$first_pid', third in '$third_pid': expected two connections"
