#!/bin/bash
# SPDX-License-Identifier: MIT
# Deadlines of the PostgreSQL edge against a real server: a statement past the
# task timeout ends in about that time with SQLSTATE 57014, whether the
# server's statement_timeout or our cancel request stops it, and nothing keeps
# running; a server that accepts TCP and never answers fails at connect_timeout.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
pg_start

# active_sleepers: how many pg_sleep statements run on the server now.
active_sleepers() {
    pg_sql "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"
}

# The server's statement_timeout (set from the task timeout) and our cancel
# request race; either way the outcome is a timeout.
run_probe --conninfo "$PT_PG_APP_CONNINFO" --timeout 1s --sql "SELECT pg_sleep(30)" --then --sql "SELECT 1"
assert_eq timeout "$(probe_get 0 .outcome)" "outcome"
assert_eq 57014 "$(probe_get 0 .sqlstate)" "SQLSTATE"
assert_match "$(probe_get 0 .message)" '^timed out after 1s; canceled (by statement_timeout )?and rolled back$' "message"
assert_eq success "$(probe_get 1 .outcome)" "the next request on the same connection"
server_ms=$(($(probe_get 0 .duration_us) / 1000))
((server_ms >= 1000 && server_ms < 1500)) || fail "a 1s timeout took ${server_ms}ms"

# With statement_timeout switched off by the task itself, only our cancel
# request can stop the statement.
run_probe --conninfo "$PT_PG_APP_CONNINFO" --timeout 1s \
    --sql "SET LOCAL statement_timeout = 0" --sql "SELECT pg_sleep(30)"
assert_eq timeout "$(probe_get 0 .outcome)" "outcome (client cancel)"
assert_eq 57014 "$(probe_get 0 .sqlstate)" "SQLSTATE (client cancel)"
cancel_ms=$(($(probe_get 0 .duration_us) / 1000))
((cancel_ms >= 1000 && cancel_ms < 1500)) || fail "a 1s timeout with a client cancel took ${cancel_ms}ms"
assert_eq 0 "$(active_sleepers)" "statements still running"
echo "timeout after 1s: server statement_timeout ${server_ms}ms, client cancel ${cancel_ms}ms" >&2

# A blackhole: TCP accepted, never an answer.
blackhole_start 30
run_probe --conninfo "host=127.0.0.1 port=$PT_BLACKHOLE_PORT dbname=app user=app" \
    --connect-timeout 2s --sql "SELECT 1"
assert_rc 1
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (blackhole)"
assert_eq "cannot connect to host=127.0.0.1 port=$PT_BLACKHOLE_PORT dbname=app user=app: no answer within 2s (connect_timeout)" \
    "$(probe_get 0 .message)" "message (blackhole)"
assert_eq true "$(probe_get 0 .retryable)" "a failed connection is retryable"
connect_ms=$(($(probe_get 0 .duration_us) / 1000))
((connect_ms >= 2000 && connect_ms < 2500)) || fail "connect_timeout=2s took ${connect_ms}ms"
echo "blackhole with connect_timeout=2s: ${connect_ms}ms" >&2

# No server at all: refused at once, with the server named.
pg_stop
run_probe --conninfo "$PT_PG_APP_CONNINFO" --sql "SELECT 1"
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (server down)"
assert_eq "cannot connect to host=$PT_PG_SOCKET_DIR port=$PT_PG_PORT dbname=app user=app: No such file or directory. Is the server running locally and accepting connections on that socket?" \
    "$(probe_get 0 .message)" "message (server down)"
((PROBE_MS < 2000)) || fail "a refused connection took ${PROBE_MS}ms"
