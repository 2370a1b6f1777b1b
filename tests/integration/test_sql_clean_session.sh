#!/bin/bash
# SPDX-License-Identifier: MIT
# Every SQL task starts from a clean session, although tasks on one database
# share a connection: what a task left behind (search_path, GUCs, SET ROLE,
# SET SESSION AUTHORIZATION, session transaction characteristics, temp
# tables, prepared statements, WITH HOLD cursors, session advisory locks,
# LISTEN) is gone once the task ends, and the next task's DELETE deletes
# from the table it names.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_sql "CREATE ROLE other_role NOLOGIN; GRANT other_role TO app"
pg_app_sql "CREATE SCHEMA other"
pg_app_sql "CREATE TABLE events (id int); CREATE TABLE other.events (id int)"
pg_app_sql "INSERT INTO events VALUES (1), (2); INSERT INTO other.events VALUES (10), (20)"

# The reported case, through the runner: one task sets the search_path, the next deletes.
make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "switch"
sql = "SET search_path TO other, public"
timeout = "20s"

[[task]]
name = "purge"
sql = "DELETE FROM events"
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 0
assert_eq 2 "$(json_get '.tasks[] | select(.name == "purge") | .rows_affected')" "rows purged"
assert_eq 0 "$(pg_app_sql 'SELECT count(*) FROM public.events')" "rows left in public.events"
assert_eq 2 "$(pg_app_sql 'SELECT count(*) FROM other.events')" "rows left in other.events (untouched)"

# Every kind of session state, through the PostgreSQL edge: request 0 leaves
# it behind, request 1 (same connection) looks for it.
advisory_locks="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
run_probe --conninfo "$PT_PG_APP_CONNINFO" \
    --sql "SET search_path TO other, public" \
    --sql "CREATE TEMP TABLE tmp_state (x int)" \
    --sql "SET work_mem = '77MB'" \
    --sql "SELECT set_config('periodic_tasks.custom', 'dirty', false)" \
    --sql "SET default_transaction_read_only = on" \
    --sql "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE" \
    --sql "PREPARE leftover AS SELECT 1" \
    --sql "DECLARE held CURSOR WITH HOLD FOR SELECT 1" \
    --sql "SELECT pg_advisory_lock(4242)" \
    --sql "LISTEN chan" \
    --sql "SET ROLE other_role" \
    --sql "SELECT pg_backend_pid()" \
    --sh "psql '$PT_PG_CONNINFO' -X -q -A -t -c \"$advisory_locks\" >'$T/locks-between'" \
    --sql "INSERT INTO events VALUES (3)" \
    --sql "SELECT current_setting('search_path'), current_setting('work_mem'),
                  coalesce(current_setting('periodic_tasks.custom', true), ''),
                  current_setting('transaction_read_only'), current_setting('transaction_isolation'),
                  current_user, session_user,
                  (SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_cursors WHERE name = 'held'),
                  ($advisory_locks AND pid = pg_backend_pid()),
                  (SELECT count(*) FROM pg_listening_channels()),
                  to_regclass('pg_temp.tmp_state') IS NULL,
                  pg_backend_pid()"
assert_rc 0
assert_eq success "$(probe_get 0 .outcome)" "outcome of the dirty request"
assert_eq 0 "$(cat "$T/locks-between")" "advisory locks held between the tasks"
assert_eq success "$(probe_get 1 .outcome)" "outcome of the next request (not read only)"
assert_eq "$(probe_get 0 '.preview[0][0]')" "$(probe_get 1 '.preview[0][12]')" "backend pid (one connection)"
assert_eq '["\"$user\", public","4MB","","off","read committed","app","app","0","0","0","0","t"]' \
    "$(probe_get 1 '.preview[0][0:12] | tojson')" "session state in the next request"

# SET SESSION AUTHORIZATION (superusers only) is undone too.
run_probe --conninfo "$PT_PG_CONNINFO" \
    --sql "SET SESSION AUTHORIZATION app" \
    --then --sql "SELECT session_user, current_user"
assert_rc 0
assert_eq '["postgres","postgres"]' "$(probe_get 1 '.preview[0] | tojson')" "users in the next request"
