#!/bin/bash
# SPDX-License-Identifier: MIT
# With the server stopped, a SQL task is an "error" (never a silent skip)
# whose message names host, port, database and user; the run goes on to the
# next (command) task and exits 1.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_stop

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")
connect_timeout = "5s"

[[task]]
name = "query"
sql = "SELECT 1"
timeout = "20s"

[[task]]
name = "after"
command = ["/bin/sh", "-c", "touch '$T/after-ran'"]
TOML
run_pt --config "$CFG" --json
assert_rc 1
assert_eq 1 "$(json_get '.exit_code')" "exit_code"
q='.tasks[] | select(.name == "query")'
assert_eq error "$(json_get "$q | .result")" "result"
assert_eq sql "$(json_get "$q | .kind")" "kind"
detail=$(json_get "$q | .detail")
assert_match "$detail" '^cannot connect to ' "detail"
for part in "$PT_PG_SOCKET_DIR" "$PT_PG_PORT" "app"; do
    assert_contains "$detail" "$part" "detail"
done
assert_eq success "$(json_get '.tasks[] | select(.name == "after") | .result')" "result of the next task"
assert_exists "$T/after-ran" "the next task's file"
assert_file_contains "$T/stderr" "cannot connect to"
