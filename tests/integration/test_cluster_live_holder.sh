#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster takeover needs the holder's session gone: a holder whose lease has
# expired but whose session still holds the task's advisory lock is not taken
# over (HeldBy); once it gives the lock up, the slot is taken over as attempt 2.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start

start_holder live "$CL_SLOT" hosta 1 --hold 8
holder=$HOLDER_PID
assert_eq claimed "$(json_get .outcome "$T/holder.out")" "the holder's claim"
sleep 1.5
assert_eq t "$(pg_sql "SELECT lease_until < now() FROM periodic_tasks.claims WHERE task = 'live'" app)" \
    "the holder's lease has expired"
assert_eq held "$(cluster_claim live "$CL_SLOT" hostb 30)" "a claim while the holder's session lives"
assert_eq hosta "$(json_get .holder.host)" "the holder named"
assert_eq "1|running|hosta|" "$(cluster_row live "$CL_SLOT")" "the row while the holder lives"
# Another slot of the same task is held too: the lock is per task.
assert_eq held "$(cluster_claim live "$((CL_SLOT + 3600000000))" hostb 30)" "another slot of the task"

wait_for_exit "$holder" 20 # releases the claim without finishing
assert_eq 0 "$WAIT_RC" "the holder's exit status"
assert_eq claimed "$(cluster_claim live "$CL_SLOT" hostb 30)" "a claim after the holder let go"
assert_eq 2 "$(json_get .attempt)" "the takeover's attempt"
