# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL 15 cluster for a test, and a "blackhole" server
# (source after common.sh).
#
# initdb refuses to run as root, so the cluster belongs to the postgres user
# (runuser). It lives in the test's temp directory and listens on a unix
# socket there and on 127.0.0.1 at a free port, nowhere else. Over the socket
# every role gets in without a password (trust); over TCP a password is
# required (scram-sha-256), so the password paths are tested over TCP. The
# EXIT trap of common.sh stops the server, even when the test fails.
#
# After pg_start:
#   PT_PG_SOCKET_DIR  the unix socket directory
#   PT_PG_PORT        the port (socket and TCP)
#   PT_PG_CONNINFO    superuser "postgres" over the socket, database "postgres"
#   PT_PG_APP_CONNINFO      role "app" over the socket, database "app"
#   PT_PG_APP_TCP_CONNINFO  role "app" over TCP (needs PT_PG_APP_PASSWORD)
#   PT_PG_APP_PASSWORD      app's password; PT_PG_APP_PASSWORD_FILE holds it

PT_PG_BIN=${PT_PG_BIN:-/usr/lib/postgresql/15/bin}
PT_PG_APP_PASSWORD="pt-secret-$RANDOM$RANDOM-pw"

# require_pg: skips unless the PostgreSQL server binaries and root are here.
require_pg() {
    [[ -x $PT_PG_BIN/initdb && -x $PT_PG_BIN/pg_ctl ]] ||
        skip "$PT_PG_BIN/initdb is not installed (apt-get install -y postgresql-15)"
    require_root "initdb and pg_ctl run as the postgres user through runuser"
    id postgres >/dev/null 2>&1 || skip "there is no postgres user (apt-get install -y postgresql-15)"
    require_tool runuser psql python3
}

# free_port: prints a TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# as_postgres CMD...: runs CMD as the postgres user, from a directory it may enter.
as_postgres() {
    (cd / && runuser -u postgres -- "$@")
}

# pg_start: initialises and starts the cluster, creates role and database
# "app" with table-creating rights, and sets the variables above.
pg_start() {
    require_pg
    PT_PG_DIR="$T/pg"
    PT_PG_SOCKET_DIR="$PT_PG_DIR/sock"
    mkdir -p "$PT_PG_DIR/data" "$PT_PG_SOCKET_DIR"
    chown -R postgres: "$PT_PG_DIR"
    as_postgres "$PT_PG_BIN/initdb" -D "$PT_PG_DIR/data" -A trust -U postgres -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$PT_PG_DIR/initdb.log" 2>&1 ||
        fail "initdb failed: $(tail -n 20 "$PT_PG_DIR/initdb.log")"
    cat >"$PT_PG_DIR/data/pg_hba.conf" <<'HBA'
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
    PT_PG_PORT=$(free_port)
    CLEANUP_HOOKS+=("pg_stop")
    as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -l "$PT_PG_DIR/server.log" -w -t 30 \
        -o "-k $PT_PG_SOCKET_DIR -c listen_addresses=127.0.0.1 -p $PT_PG_PORT -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null || fail "pg_ctl start failed: $(tail -n 20 "$PT_PG_DIR/server.log")"
    PT_PG_CONNINFO="host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT user=postgres dbname=postgres"
    PT_PG_APP_CONNINFO="host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT user=app dbname=app"
    PT_PG_APP_TCP_CONNINFO="host=127.0.0.1 port=$PT_PG_PORT user=app dbname=app sslmode=disable"
    PT_PG_APP_PASSWORD_FILE="$PT_PG_DIR/app.password"
    printf '%s\n' "$PT_PG_APP_PASSWORD" >"$PT_PG_APP_PASSWORD_FILE"
    chmod 0600 "$PT_PG_APP_PASSWORD_FILE"
    # FILE_COPY: faster than WAL_LOG for a fresh cluster's tiny template.
    psql "$PT_PG_CONNINFO" -X -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE app LOGIN PASSWORD '$PT_PG_APP_PASSWORD'" \
        -c "CREATE DATABASE app OWNER app STRATEGY FILE_COPY" >/dev/null 2>"$T/psql.err" ||
        fail "creating role and database app failed: $(cat "$T/psql.err")"
    export PT_PG_SOCKET_DIR PT_PG_PORT PT_PG_CONNINFO PT_PG_APP_CONNINFO PT_PG_APP_TCP_CONNINFO \
        PT_PG_APP_PASSWORD PT_PG_APP_PASSWORD_FILE
}

# pg_stop: stops the cluster (fast shutdown; immediate if that hangs). Safe to repeat.
pg_stop() {
    [[ -n ${PT_PG_DIR:-} && -f $PT_PG_DIR/data/postmaster.pid ]] || return 0
    as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -m fast -w -t 10 stop >/dev/null 2>&1 ||
        as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
        true
}

# pg_restart: restarts the server in place (same socket and port).
pg_restart() {
    as_postgres "$PT_PG_BIN/pg_ctl" -D "$PT_PG_DIR/data" -m fast -w -t 30 restart >/dev/null ||
        fail "pg_ctl restart failed: $(tail -n 20 "$PT_PG_DIR/server.log")"
}

# pg_sql SQL [DBNAME]: runs SQL as the superuser over the socket, prints the
# unaligned, tuples-only result; fails the test on an error.
pg_sql() {
    psql "host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT user=postgres dbname=${2:-postgres}" \
        -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" 2>"$T/psql.err" ||
        fail "psql failed on: $1: $(cat "$T/psql.err")"
}

# pg_app_sql SQL: like pg_sql, as role "app" in database "app" (what it
# creates belongs to app, like the application's own tables).
pg_app_sql() {
    psql "$PT_PG_APP_CONNINFO" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" 2>"$T/psql.err" ||
        fail "psql (as app) failed on: $1: $(cat "$T/psql.err")"
}

# blackhole_start [SECONDS]: listens on 127.0.0.1 at a free port, accepts
# connections and never answers, for SECONDS (default 60) at most. Sets
# PT_BLACKHOLE_PORT.
blackhole_start() {
    require_tool python3
    local port_file="$T/blackhole.port"
    # shellcheck disable=SC2016 # the program is Python
    python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
s.settimeout(0.2)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
' "$port_file" "${1:-60}" "$MARK-blackhole" &
    BG_PIDS+=("$!")
    wait_for_file "$port_file" 10
    PT_BLACKHOLE_PORT=$(cat "$port_file")
}

# run_probe ARGS...: runs the pg_probe helper (tests/helpers/pg_probe.cpp: one
# JSON line per SQL request) like run_pt runs the binary: stdout to
# $T/stdout, stderr to $T/stderr, exit status to PT_RC; PROBE_MS is how long
# it took in milliseconds.
run_probe() {
    : "${PT_PG_PROBE:?PT_PG_PROBE must name the pg_probe helper (ctest sets it)}"
    PT_ARGS="pg_probe $*"
    PT_RC=0
    local started=${EPOCHREALTIME/./}
    timeout --kill-after=5 "${PT_RUN_TIMEOUT:-60}" "$PT_PG_PROBE" "$@" \
        </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    PROBE_MS=$(((${EPOCHREALTIME/./} - started) / 1000))
    if [[ $PT_RC == 124 || $PT_RC == 137 ]]; then
        fail "pg_probe $* did not finish within ${PT_RUN_TIMEOUT:-60}s"
    fi
}

# probe_get N FILTER: jq's raw output of FILTER on the result of request N
# (0-based) of the last run_probe.
probe_get() {
    json_get "select(.request == $1) | $2"
}

# pg_database_toml [CONNINFO] [EXTRA TOML LINES...]: prints a
# [databases.main] table for the test's cluster (default: role "app" over
# the socket), for a SQL task config.
pg_database_toml() {
    local conninfo=${1:-$PT_PG_APP_CONNINFO} line
    printf '[databases.main]\nconninfo = "%s"\n' "$conninfo"
    shift || true
    for line in "$@"; do
        printf '%s\n' "$line"
    done
}

# pg_database_via_proxy_toml PROXY [CONNINFO-EXTRA]: prints a [databases.main]
# table for role "app" through the test proxy PROXY (proxy.sh's proxy_start)
# over TCP, with its password file and CONNINFO-EXTRA appended to the conninfo.
pg_database_via_proxy_toml() {
    pg_database_toml "host=127.0.0.1 port=${PT_PROXY_PORT[$1]} user=app dbname=app sslmode=disable${2:+ $2}" \
        "password_file = \"$PT_PG_APP_PASSWORD_FILE\""
}

# pg_backends_like PATTERN: prints "state|query" of every client backend
# whose application_name is LIKE PATTERN (nothing when there is none).
pg_backends_like() {
    pg_sql "SELECT state || '|' || query FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name LIKE '$1'"
}
