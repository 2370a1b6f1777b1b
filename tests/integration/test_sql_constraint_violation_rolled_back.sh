#!/bin/bash
# SPDX-License-Identifier: MIT
# A task whose second statement violates a unique constraint rolls back its
# first statement too (one transaction per task), reports SQLSTATE 23505
# with the server's detail; the next task on the same connection commits.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE u (id int PRIMARY KEY)"
pg_app_sql "INSERT INTO u VALUES (1)"
pg_app_sql "CREATE TABLE log (msg text)"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "dup"
sql = ["INSERT INTO log VALUES ('from dup')", "INSERT INTO u VALUES (2), (1)"]
timeout = "20s"

[[task]]
name = "next"
sql = ["INSERT INTO u VALUES (10)", "INSERT INTO log VALUES ('from next')"]
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 1
d='.tasks[] | select(.name == "dup")'
assert_eq failed "$(json_get "$d | .result")" "result of dup"
assert_eq 23505 "$(json_get "$d | .sqlstate")" "sqlstate"
assert_contains "$(json_get "$d | .db_error")" "duplicate key value violates unique constraint" "db_error"
assert_contains "$(json_get "$d | .db_detail")" "Key (id)=(1) already exists." "db_detail"
assert_match "$(json_get "$d | .detail")" '^failed: statement 2 of 2: SQLSTATE 23505: duplicate key' "detail"
assert_contains "$(json_get "$d | .detail")" "(detail: Key (id)=(1) already exists.)" "detail"
n='.tasks[] | select(.name == "next")'
assert_eq success "$(json_get "$n | .result")" "result of next"
assert_eq "1 10" "$(pg_app_sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM u")" "ids in u"
assert_eq "from next" "$(pg_app_sql "SELECT string_agg(msg, ',') FROM log")" "log rows (dup's rolled back)"
