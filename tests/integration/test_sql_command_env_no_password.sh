#!/bin/bash
# SPDX-License-Identifier: MIT
# After a SQL task has connected with a password (password_file, scram over
# TCP), a command task's environment holds no PG* variable and no password,
# and neither does the runner's own environment.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_TCP_CONNINFO")
password_file = "$PT_PG_APP_PASSWORD_FILE"
connect_timeout = "5s"

[[task]]
name = "query"
sql = "SELECT 1"
timeout = "20s"

[[task]]
name = "env"
command = ["/bin/sh", "-c", "env >'$T/task.env'; tr '\\\\0' '\\\\n' </proc/\$PPID/environ >'$T/runner.env'"]
TOML
# pg.sh exports the password for its helpers; the runner must not inherit it.
export -n PT_PG_APP_PASSWORD
run_pt --config "$CFG" --json
assert_rc 0
assert_eq success "$(json_get '.tasks[] | select(.name == "query") | .result')" "result of the SQL task"
assert_exists "$T/task.env"
assert_exists "$T/runner.env"
assert_file_contains "$T/task.env" "PERIODIC_TASKS_TASK=env"
for file in "$T/task.env" "$T/runner.env"; do
    assert_file_not_contains "$file" "$PT_PG_APP_PASSWORD"
    assert_file_not_contains "$file" "PGPASSWORD"
done
! grep -q '^PG' "$T/task.env" || fail "the command task got PG variables: $(grep '^PG' "$T/task.env")"
