#!/bin/bash
# SPDX-License-Identifier: MIT
# A reused connection that sat idle for over a second (a command task ran in
# between) may have died unseen: a NAT or firewall that dropped its state
# answers the next packet with a reset. Its task's BEGIN goes alone first, so
# the break is known to have run nothing, and the task runs once on a new
# connection: it succeeds, on its first attempt, its row written once. Sent
# with its COMMIT, the same break would leave the task in doubt (08007).
# The test proxy's "forget" plays the NAT.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/proxy.sh"
require_jq
require_no_journal
pg_start
proxy_start net --target "127.0.0.1:$PT_PG_PORT"
pg_app_sql "CREATE TABLE t (n int)"

make_config <<TOML
$(pg_database_via_proxy_toml net "connect_timeout=5")

[[task]]
name = "first"
sql = "SELECT 1"

# Runs until the test says go, then 1.2 s more: the connection is idle > 1 s.
[[task]]
name = "pause"
command = ["/bin/sh", "-c", "touch $T/paused; until [ -e $T/go ]; do sleep 0.05; done; sleep 1.2"]
timeout = "60s"

[[task]]
name = "after"
sql = "INSERT INTO t VALUES (1)"
TOML

start_runner "$T/paused"
connections=$(jq -r .connections <<<"$(proxy_send net stats)")
assert_eq 1 "$connections" "connections while the command task runs"
forgot=$(proxy_send net forget)
assert_eq "forgot 1" "$forgot" "the proxy's answer"
touch "$T/go"
wait_runner 30
assert_rc 0
b='.tasks[2]'
assert_eq after "$(json_get "$b.name")" "the third task"
assert_eq success "$(json_get "$b.result")" "result of the task after the forgotten connection"
assert_eq 1 "$(json_get "$b.attempts")" "attempts (the break ran nothing: no retry counted)"
assert_eq 1 "$(pg_app_sql "SELECT count(*) FROM t")" "rows the task wrote"
connections=$(jq -r .connections <<<"$(proxy_send net stats)")
assert_eq 2 "$connections" "connections in all (one new after the break)"
echo "PASS: $TEST_NAME"
