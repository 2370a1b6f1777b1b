#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster heartbeats: a holder renewing its 3 s lease every 0.3 s from a
# thread of its own (not the one that claimed) keeps it live past its first
# 3 seconds, so after the holder is SIGKILLed another claimer still gets HeldBy
# until the last renewal's lease ends, and Claimed at attempt 2 after.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start

"$PT_CLUSTER_PROBE" "$PT_PG_APP_CONNINFO" claim beat "$CL_SLOT" hosta 3 --hold 60 --heartbeat 0.3 \
    >"$T/holder.out" 2>&1 &
holder=$!
BG_PIDS+=("$holder")
deadline=$((SECONDS + 30))
until [[ $(pg_sql "SELECT claimed_at < now() - interval '3.5 seconds' FROM periodic_tasks.claims WHERE task = 'beat'" app) == t ]]; do
    ((SECONDS < deadline)) || fail "the claim is not 3.5 s old after 30 s: $(cat "$T/holder.out")"
    sleep 0.05
done
assert_eq "true" "$(json_get 'select(.op == "heartbeat") | .held' "$T/holder.out" | sort -u)" \
    "every renewal held the claim"
assert_eq t "$(pg_sql "SELECT lease_until > now() + interval '1 second' FROM periodic_tasks.claims WHERE task = 'beat'" app)" \
    "the lease is renewed past the first 3 seconds"
kill -KILL "$holder"
wait "$holder" || true
assert_eq "held" "$(cluster_claim beat "$CL_SLOT" hostb 30)" "a claim within the renewed lease"
sleep 3.1
assert_eq "claimed" "$(cluster_claim beat "$CL_SLOT" hostb 30)" "a claim after the renewed lease"
assert_eq 2 "$(json_get .attempt)" "the takeover's attempt"
