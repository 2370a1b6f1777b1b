#!/bin/bash
# SPDX-License-Identifier: MIT
# The cluster store refuses a connection pooler: through pgbouncer in
# transaction mode (on 127.0.0.1, in front of the test's server), open()
# fails with the message that names both pids; straight to the server it opens.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
PGBOUNCER=$(command -v pgbouncer || true)
[[ -z $PGBOUNCER && -x /usr/sbin/pgbouncer ]] && PGBOUNCER=/usr/sbin/pgbouncer
[[ -n $PGBOUNCER ]] || skip "pgbouncer is absent (apt-get install -y pgbouncer)"
pg_start

dir="$T/pgbouncer"
mkdir -p "$dir"
port=$(free_port)
cat >"$dir/pgbouncer.ini" <<INI
[databases]
app = host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=app user=app

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = any
pool_mode = transaction
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
chown -R postgres: "$dir"
# shellcheck disable=SC2016 # expanded when the hook runs
CLEANUP_HOOKS+=('[[ -s $dir/pgbouncer.pid ]] && kill "$(cat "$dir/pgbouncer.pid")"')
as_postgres "$PGBOUNCER" -d "$dir/pgbouncer.ini" >"$dir/start.log" 2>&1 ||
    fail "pgbouncer did not start: $(cat "$dir/start.log" "$dir/pgbouncer.log" 2>/dev/null)"
wait_for_file "$dir/pgbouncer.pid" 10
pooled="host=127.0.0.1 port=$port dbname=app user=app sslmode=disable"
deadline=$((SECONDS + 10))
until psql "$pooled" -X -q -A -t -c "SELECT 1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "pgbouncer does not answer: $(cat "$dir/pgbouncer.log")"
    sleep 0.1
done

cluster_run "$pooled" open
assert_rc 1
assert_eq refused "$(json_get .kind)" "the error's kind"
assert_match "$(json_get .message)" \
    '^the cluster database connection goes through a connection pooler \(PQbackendPID -?[0-9]+, server pid [0-9]+\): session advisory locks and leases need a direct session connection; connect to PostgreSQL itself$' \
    "the message"
assert_eq f "$(pg_sql "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'periodic_tasks')" app)" \
    "the schema after the refusal (nothing ran through the pooler)"

cluster_run "$PT_PG_APP_CONNINFO" open
assert_rc 0
assert_eq 1 "$(json_get .schema_version)" "a direct session opens"
