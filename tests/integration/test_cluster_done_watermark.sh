#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster done slots: a finished slot is never claimed again; prune deletes
# done claims past the retention in batches and raises each task's watermark
# to the newest slot it pruned, so pruned slots (and older ones) count as
# Done; running claims and recent done ones stay.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start
hour=3600000000

# A finished slot stays finished, for every host.
assert_eq claimed "$(cluster_claim once "$CL_SLOT" hosta 30 --finish success)" "the first claim"
for host in hosta hostb hostc; do
    assert_eq "done" "$(cluster_claim once "$CL_SLOT" "$host" 30)" "a claim of the done slot by $host"
    assert_eq success "$(json_get .result)" "the result it reports"
    assert_eq hosta "$(json_get .holder.host)" "who finished it"
    assert_eq false "$(json_get .pruned)" "not pruned"
done
assert_eq "1|done|hosta|success" "$(cluster_row once "$CL_SLOT")" "the row"

# 25 done slots of task "old", one running, and one task with a recent done slot.
for ((i = 1; i <= 25; i++)); do
    assert_eq claimed "$(cluster_claim old "$((CL_SLOT + i * hour))" hosta 30 --finish success)" "slot $i"
done
assert_eq claimed "$(cluster_claim old "$((CL_SLOT + 26 * hour))" hosta 30)" "the running slot"
# They finished an hour ago (moved back rather than waited for).
pg_sql "UPDATE periodic_tasks.claims SET finished_at = finished_at - interval '1 hour' WHERE state = 'done'" app
assert_eq claimed "$(cluster_claim recent "$CL_SLOT" hosta 30 --finish success)" "a recent slot"
cluster_run "$PT_PG_APP_CONNINFO" prune 7200 10
assert_eq 0 "$(json_get .pruned)" "pruned with a retention of two hours"

# Retention 10 min, batches of 10: 25 + 1 done claims of "old" and "once" go
# in three batches (one batch deletes 10 at most); "recent" and the running one stay.
cluster_run "$PT_PG_APP_CONNINFO" prune 600 10
assert_rc 0
assert_eq 26 "$(json_get .pruned)" "claims pruned"
assert_eq "old|1" "$(pg_sql "SELECT string_agg(task || '|' || count, ',') FROM (SELECT task, count(*) FROM periodic_tasks.claims GROUP BY task ORDER BY task) AS c WHERE task = 'old'" app)" \
    "what is left of task old"
assert_eq "recent" "$(pg_sql "SELECT string_agg(task, ',') FROM periodic_tasks.claims WHERE state = 'done'" app)" \
    "done claims left"
assert_eq "old|$((CL_SLOT + 25 * hour)),once|$CL_SLOT" \
    "$(pg_sql "SELECT string_agg(task || '|' || (extract(epoch FROM pruned_through) * 1000000)::bigint, ',' ORDER BY task) FROM periodic_tasks.watermarks" app)" \
    "the watermarks"

# Pruned slots, and older ones, are Done; a newer slot is claimed.
assert_eq "done" "$(cluster_claim old "$((CL_SLOT + 5 * hour))" hostb 30)" "a pruned slot"
assert_eq true "$(json_get .pruned)" "answered from the watermark"
assert_eq "done" "$(cluster_claim old "$((CL_SLOT - 100 * hour))" hostb 30)" "a slot older than any pruned"
assert_eq "done" "$(cluster_claim once "$CL_SLOT" hostb 30)" "the pruned finished slot"
assert_eq claimed "$(cluster_claim old "$((CL_SLOT + 27 * hour))" hostb 30)" "a slot after the watermark"

# The watermark never goes back: pruning an older slot later keeps the newest.
pg_sql "INSERT INTO periodic_tasks.claims (task, slot, attempt, state, result, host, boot_id, pid, run_id, lease_until, finished_at)
        VALUES ('old', to_timestamp($((CL_SLOT - 200 * hour)) / 1e6), 1, 'done', 'success', 'x', 'x', 1, 'x', now(), now() - interval '1 hour')" app
cluster_run "$PT_PG_APP_CONNINFO" prune 600 10
assert_eq 1 "$(json_get .pruned)" "the old slot pruned"
assert_eq "$((CL_SLOT + 25 * hour))" \
    "$(pg_sql "SELECT (extract(epoch FROM pruned_through) * 1000000)::bigint FROM periodic_tasks.watermarks WHERE task = 'old'" app)" \
    "the watermark after pruning an older slot"
