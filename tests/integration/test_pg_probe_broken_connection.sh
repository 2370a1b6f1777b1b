#!/bin/bash
# SPDX-License-Identifier: MIT
# A broken connection of the PostgreSQL edge is replaced: killed while idle
# between requests (pg_terminate_backend) or by a server restart, the next
# request runs on a new connection; killed during a request, that request is
# a retryable connection failure and the next one reconnects.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
pg_start

kill_app_backends="psql '$PT_PG_CONNINFO' -X -q -A -t -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'\" >/dev/null"

run_probe --conninfo "$PT_PG_APP_CONNINFO" \
    --sql "SELECT pg_backend_pid()" \
    --sh "$kill_app_backends" \
    --sql "SELECT pg_backend_pid()" \
    --then --sql "SELECT pg_terminate_backend(pg_backend_pid())" \
    --then --sql "SELECT pg_backend_pid()" \
    --sh "runuser -u postgres -- $PT_PG_BIN/pg_ctl -D '$PT_PG_DIR/data' -m fast -w restart >/dev/null" \
    --sql "SELECT pg_backend_pid()"
assert_rc 1
assert_eq success "$(probe_get 0 .outcome)" "before the kill"
assert_eq success "$(probe_get 1 .outcome)" "after the kill between requests"
[[ $(probe_get 0 '.preview[0][0]') != "$(probe_get 1 '.preview[0][0]')" ]] ||
    fail "the request after the kill ran on the killed backend"
assert_eq connection_failed "$(probe_get 2 .outcome)" "killed during the request"
assert_eq 57P01 "$(probe_get 2 .sqlstate)" "SQLSTATE of the kill"
assert_eq "connection lost: terminating connection due to administrator command" "$(probe_get 2 .message)" "message"
assert_eq true "$(probe_get 2 .retryable)" "a broken connection is retryable"
assert_eq success "$(probe_get 3 .outcome)" "after the kill during a request"
assert_eq success "$(probe_get 4 .outcome)" "after a server restart"
