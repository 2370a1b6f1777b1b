#!/bin/bash
# SPDX-License-Identifier: MIT
# The test network (proxy.sh, tests/helpers/tcp_proxy.py) does what the
# cluster and latency tests rely on, against a real PostgreSQL over 127.0.0.1:
# it forwards and counts round trips; a blackhole makes the server silent to a
# session that is waiting for an answer (no reset: the client just waits) and
# to a new connection; heal forwards again; drop resets every connection at
# once; a delay holds each direction at least that long.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/proxy.sh"
pg_start
proxy_start net --target "127.0.0.1:$PT_PG_PORT"
export PGPASSWORD=$PT_PG_APP_PASSWORD
via="host=127.0.0.1 port=${PT_PROXY_PORT[net]} user=app dbname=app sslmode=disable connect_timeout=2"

assert_eq 42 "$(psql "$via" -X -At -c 'SELECT 42')" "a query through the proxy"
stats=$(proxy_send net stats)
assert_eq 1 "$(jq -r .connections <<<"$stats")" "connections counted"
trips=$(jq -r .round_trips <<<"$stats")
((trips >= 2)) || fail "round trips counted: $stats (start-up, authentication and the query take several)"

# wait_for_query TEXT: waits until the server runs a query that starts with
# TEXT (no single quote in it).
wait_for_query() {
    local deadline=$((SECONDS + 20))
    until [[ $(psql "$PT_PG_CONNINFO" -X -At -c \
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND starts_with(query, '$1')") == 1 ]]; do
        ((SECONDS < deadline)) || fail "the server never ran '$1'"
        sleep 0.05
    done
}

# A session waiting for its answer when the partition starts never gets it.
psql "$via" -X -At -c 'SELECT pg_sleep(2), 7' >"$T/waiting.out" 2>"$T/waiting.err" &
waiting=$!
BG_PIDS+=("$waiting")
wait_for_query 'SELECT pg_sleep(2), 7'
proxy_send net blackhole >/dev/null
sleep 3 # the server answered after 2 s; the proxy drops it
kill -0 "$waiting" 2>/dev/null || fail "the answer crossed the partition: $(cat "$T/waiting.out" "$T/waiting.err")"
# A new connection hears nothing: connect_timeout ends it.
rc=0
psql "$via" -X -At -c 'SELECT 1' >/dev/null 2>"$T/new.err" || rc=$?
assert_eq 2 "$rc" "psql's exit status for a connection into the partition"
assert_file_contains "$T/new.err" "timeout expired"

# Healed: new sessions work again; the stalled one is reset by drop.
proxy_send net heal >/dev/null
assert_eq 1 "$(psql "$via" -X -At -c 'SELECT 1')" "a query after heal"
psql "$via" -X -At -c 'SELECT pg_sleep(60)' >/dev/null 2>"$T/dropped.err" &
long=$!
BG_PIDS+=("$long")
wait_for_query 'SELECT pg_sleep(60)'
dropped=$(proxy_send net drop)
[[ $dropped =~ ^dropped\ [1-9] ]] || fail "drop closed no connection: $dropped"
rc=0
wait "$long" || rc=$?
assert_eq 2 "$rc" "psql's exit status when its connection is reset"
assert_file_contains "$T/dropped.err" "connection to server was lost"
rc=0
wait "$waiting" || rc=$?
assert_eq 2 "$rc" "the stalled session's exit status after drop"

# A delay of 100 ms each way: a query on a new connection takes at least
# start-up plus one round trip, i.e. well over 2 x 100 ms (a lower bound,
# never an upper one).
proxy_send net "delay 100" >/dev/null
start=$(date +%s%N)
assert_eq 3 "$(psql "$via" -X -At -c 'SELECT 3')" "a query through the delay"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
((elapsed_ms >= 400)) || fail "a query through 100 ms each way took only ${elapsed_ms} ms"
echo "PASS: $TEST_NAME"
