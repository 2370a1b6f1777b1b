#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster takeover: a holder with a 5 s lease (room for a slow machine to ask
# again before it ends) is SIGKILLed while it holds the
# claim. Before the lease ends another claimer gets HeldBy (naming the dead
# holder); after it, Claimed at attempt 2. The dead holder's late heartbeat
# and finish (attempt 1) change nothing and say so.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start

start_holder takeover "$CL_SLOT" hosta 5 --hold 60
holder=$HOLDER_PID
claimed_at=${EPOCHREALTIME/./}
assert_eq claimed "$(json_get .outcome "$T/holder.out")" "the holder's claim"
assert_eq 1 "$(json_get .attempt "$T/holder.out")" "the holder's attempt"
kill -KILL "$holder"
wait "$holder" || true

# Before the lease ends: the dead holder still holds the slot.
outcome=$(cluster_claim takeover "$CL_SLOT" hostb 30)
elapsed_ms=$(((${EPOCHREALTIME/./} - claimed_at) / 1000))
((elapsed_ms < 5000)) || fail "the second claim came ${elapsed_ms} ms after the first: too late to test the lease"
assert_eq held "$outcome" "a claim within the dead holder's lease"
assert_eq hosta "$(json_get .holder.host)" "the holder named"
assert_eq 1 "$(json_get .attempt)" "the holder's attempt"
assert_eq "1|running|hosta|" "$(cluster_row takeover "$CL_SLOT")" "the row before the lease ends"

# After the lease: taken over as attempt 2.
sleep "$(awk -v ms="$elapsed_ms" 'BEGIN { printf "%.3f", (5300 - ms) / 1000 }')"
assert_eq claimed "$(cluster_claim takeover "$CL_SLOT" hostb 30)" "a claim after the lease ended"
assert_eq 2 "$(json_get .attempt)" "the takeover's attempt"
assert_eq "2|running|hostb|" "$(cluster_row takeover "$CL_SLOT")" "the row after the takeover"

# The dead holder's attempt is fenced off.
cluster_run "$PT_PG_APP_CONNINFO" heartbeat takeover "$CL_SLOT" 1 60
assert_rc 0
assert_eq false "$(json_get .held)" "the stale holder's heartbeat"
cluster_run "$PT_PG_APP_CONNINFO" finish takeover "$CL_SLOT" 1 success
assert_rc 0
assert_eq false "$(json_get .counted)" "the stale holder's finish"
assert_eq "2|running|hostb|" "$(cluster_row takeover "$CL_SLOT")" "the row after the stale calls"

# The new holder's finish counts; the slot is done for everyone after.
cluster_run "$PT_PG_APP_CONNINFO" heartbeat takeover "$CL_SLOT" 2 60
assert_eq true "$(json_get .held)" "the new holder's heartbeat"
cluster_run "$PT_PG_APP_CONNINFO" finish takeover "$CL_SLOT" 2 success
assert_eq true "$(json_get .counted)" "the new holder's finish"
assert_eq "2|done|hostb|success" "$(cluster_row takeover "$CL_SLOT")" "the finished row"
assert_eq "done" "$(cluster_claim takeover "$CL_SLOT" hostc 30)" "a claim of the finished slot"
assert_eq hostb "$(json_get .holder.host)" "who finished it"
