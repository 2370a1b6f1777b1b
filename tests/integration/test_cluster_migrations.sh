#!/bin/bash
# SPDX-License-Identifier: MIT
# The cluster schema: created on first use; four hosts opening at once (held
# at the migration lock, then let go together) all succeed and apply version
# 1 once; a role that may not create the schema gets an error that says to
# have a DBA run `periodic_tasks cluster init --print`, and runs once a DBA
# did (the printed SQL, twice: it is idempotent); a schema_version newer than
# the program knows is refused.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start
assert_eq f "$(pg_sql "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'periodic_tasks')" app)" \
    "the schema before first use"

# Hold the migration lock while four probes start: each finds no schema and
# waits for the lock; they then migrate one after the other.
# The holder keeps the lock until the test ends its session, however slow
# the probes are to start.
lock_holder_sql="SELECT pg_advisory_lock(1347703627, 0); SELECT pg_sleep(600)"
psql "$PT_PG_APP_CONNINFO" -X -q -c "$lock_holder_sql" >/dev/null 2>"$T/lock.err" &
lock_holder=$!
BG_PIDS+=("$lock_holder")
# advisory_locks GRANTED: how many advisory locks are (true) or are not (false) granted.
advisory_locks() {
    pg_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted = $1" app
}
deadline=$((SECONDS + 60))
until [[ $(advisory_locks true) == 1 ]]; do
    ((SECONDS < deadline)) || fail "the lock holder never got the migration lock: $(cat "$T/lock.err")"
    sleep 0.02
done
pids=()
for host in 1 2 3 4; do
    "$PT_CLUSTER_PROBE" "$PT_PG_APP_CONNINFO" open >"$T/open$host" 2>&1 &
    pids+=("$!")
done
until [[ $(advisory_locks false) == 4 ]]; do
    ((SECONDS < deadline)) || fail "the four opens did not all wait for the migration lock: $(cat "$T"/open*)"
    sleep 0.02
done
pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = '$lock_holder_sql'" app >/dev/null
for pid in "${pids[@]}"; do
    wait "$pid" || fail "a concurrent open failed: $(cat "$T"/open*)"
done
wait "$lock_holder" || true # its session was ended: that released the lock
for host in 1 2 3 4; do
    assert_eq 1 "$(json_get .schema_version "$T/open$host")" "open $host"
done
assert_eq "1" "$(pg_sql "SELECT string_agg(version::text, ',') FROM periodic_tasks.schema_version" app)" \
    "versions recorded"
assert_eq "claims,schema_version,tasks,watermarks" \
    "$(pg_sql "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'periodic_tasks'" app)" \
    "the tables"

# A role that may not create schemas in its database.
pg_sql "CREATE ROLE plain LOGIN" >/dev/null
pg_sql "CREATE DATABASE plain OWNER postgres STRATEGY FILE_COPY" >/dev/null
plain="host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT user=plain dbname=plain"
cluster_run "$plain" open
assert_rc 1
assert_eq refused "$(json_get .kind)" "the error's kind"
assert_eq "cannot create the schema \"periodic_tasks\" in the cluster database (host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=plain user=plain): permission denied for database plain; have a role that may create schemas run the SQL that \`periodic_tasks cluster init --print\` prints, and grant this role USAGE on the schema and SELECT, INSERT, UPDATE, DELETE on its tables" \
    "$(json_get .message)" "the message"
assert_eq f "$(pg_sql "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'periodic_tasks')" plain)" \
    "the schema after the refusal"

# A DBA runs the printed SQL (twice: nothing changes) and grants the role its use.
"$PT_CLUSTER_PROBE" init-sql >"$T/init.sql"
for run in 1 2; do
    psql "host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT user=postgres dbname=plain" -X -q -v ON_ERROR_STOP=1 \
        -f "$T/init.sql" >/dev/null 2>"$T/psql.err" || fail "init SQL run $run failed: $(cat "$T/psql.err")"
done
# Before the grants: refused, saying which grants are missing.
cluster_run "$plain" open
assert_rc 1
assert_eq refused "$(json_get .kind)" "the error's kind without the grants"
assert_eq "cannot read the schema \"periodic_tasks\" in the cluster database (host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=plain user=plain): permission denied for schema periodic_tasks; grant this role USAGE on the schema and SELECT, INSERT, UPDATE, DELETE on its tables" \
    "$(json_get .message)" "the message without the grants"
pg_sql "GRANT USAGE ON SCHEMA periodic_tasks TO plain;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA periodic_tasks TO plain" plain
assert_eq "1" "$(pg_sql "SELECT string_agg(version::text, ',') FROM periodic_tasks.schema_version" plain)" \
    "versions after the DBA's runs"
cluster_run "$plain" claim t "$CL_SLOT" hosta 30
assert_rc 0
assert_eq claimed "$(json_get .outcome)" "a claim as the plain role"

# A newer schema (a newer program on another host migrated it) is refused.
pg_sql "INSERT INTO periodic_tasks.schema_version (version) VALUES (2)" app
cluster_run "$PT_PG_APP_CONNINFO" open
assert_rc 1
assert_eq refused "$(json_get .kind)" "the error's kind"
assert_eq "the schema \"periodic_tasks\" in the cluster database (host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=app user=app) is at version 2, newer than this periodic_tasks knows (1): a newer periodic_tasks on another host has migrated it; install the same periodic_tasks version on every host" \
    "$(json_get .message)" "the message"
