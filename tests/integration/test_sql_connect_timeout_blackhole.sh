#!/bin/bash
# SPDX-License-Identifier: MIT
# A server that accepts TCP and never answers fails the SQL task in about
# connect_timeout ("2s"), with a connection error, not a hang.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
blackhole_start 60

make_config <<TOML
$(pg_database_toml "host=127.0.0.1 port=$PT_BLACKHOLE_PORT dbname=app user=app sslmode=disable")
connect_timeout = "2s"

[[task]]
name = "query"
sql = "SELECT 1"
timeout = "30s"

[[task]]
name = "after"
command = ["/bin/true"]
TOML
started=${EPOCHREALTIME/./}
PT_RUN_TIMEOUT=30 run_pt --config "$CFG" --json
ms=$(((${EPOCHREALTIME/./} - started) / 1000))
assert_rc 1
q='.tasks[] | select(.name == "query")'
assert_eq error "$(json_get "$q | .result")" "result"
detail=$(json_get "$q | .detail")
assert_match "$detail" '^cannot connect to ' "detail"
assert_contains "$detail" "$PT_BLACKHOLE_PORT" "detail"
assert_eq success "$(json_get '.tasks[] | select(.name == "after") | .result')" "result of the next task"
((ms >= 1500 && ms < 5000)) || fail "connect_timeout 2s: the run took ${ms}ms"
echo "blackhole with connect_timeout 2s: run took ${ms}ms" >&2
