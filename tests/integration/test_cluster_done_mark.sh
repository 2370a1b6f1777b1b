#!/bin/bash
# SPDX-License-Identifier: MIT
# The done mark in a SQL task's own transaction (cluster_done_mark_sql, run
# through the real PgExecutor by pg_probe with the claim as params): a
# rollback, or a failing statement after it, leaves the claim running; a
# commit marks it done with the task's effects; a stale attempt, or a slot
# already done, fails the task with SQLSTATE PTF01, so its effects are
# rolled back with it (a fenced SQL task never commits).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/cluster.sh"
require_jq
pg_start
pg_app_sql "CREATE TABLE effects (n int)"
mark=$("$PT_CLUSTER_PROBE" done-mark-sql)
assert_eq claimed "$(cluster_claim sqltask "$CL_SLOT" hosta 60)" "the claim"
claim_params=(--param sqltask --param "$CL_SLOT_TEXT" --param 1 --param success)

run_probe --conninfo "$PT_PG_APP_CONNINFO" --rollback "${claim_params[@]}" \
    --sql "INSERT INTO effects SELECT 1 WHERE \$1 <> ''" --sql "$mark"
assert_eq success "$(probe_get 0 .outcome)" "the dry run"
assert_eq 1 "$(probe_get 0 .rows_affected)" "rows the dry run's insert changed"
assert_eq "1|running|hosta|" "$(cluster_row sqltask "$CL_SLOT")" "after a rollback"

run_probe --conninfo "$PT_PG_APP_CONNINFO" "${claim_params[@]}" \
    --sql "INSERT INTO effects SELECT 2 WHERE \$1 <> ''" --sql "$mark" --sql "SELECT 1 / 0"
assert_eq sql_error "$(probe_get 0 .outcome)" "a task failing after the mark"
assert_eq "1|running|hosta|" "$(cluster_row sqltask "$CL_SLOT")" "after a failed task"

run_probe --conninfo "$PT_PG_APP_CONNINFO" --param sqltask --param "$CL_SLOT_TEXT" --param 2 \
    --param success --sql "INSERT INTO effects SELECT 3 WHERE \$1 <> ''" --sql "$mark"
assert_eq sql_error "$(probe_get 0 .outcome)" "a stale attempt's task"
assert_eq PTF01 "$(probe_get 0 .sqlstate)" "its SQLSTATE"
assert_eq "the claim of task \"sqltask\" for slot $CL_SLOT_TEXT is no longer attempt 2" \
    "$(probe_get 0 .message)" "its message"
assert_eq "1|running|hosta|" "$(cluster_row sqltask "$CL_SLOT")" "after a stale attempt"

run_probe --conninfo "$PT_PG_APP_CONNINFO" "${claim_params[@]}" \
    --sql "INSERT INTO effects SELECT 4 WHERE \$1 <> ''" --sql "$mark"
assert_eq success "$(probe_get 0 .outcome)" "the task that commits"
assert_eq 1 "$(probe_get 0 .rows_affected)" "its insert"
assert_eq "1|done|hosta|success" "$(cluster_row sqltask "$CL_SLOT")" "after the commit"
assert_eq "4" "$(pg_app_sql "SELECT string_agg(n::text, ',' ORDER BY n) FROM effects")" \
    "the effects that committed"

run_probe --conninfo "$PT_PG_APP_CONNINFO" "${claim_params[@]}" \
    --sql "INSERT INTO effects SELECT 5 WHERE \$1 <> ''" --sql "$mark"
assert_eq PTF01 "$(probe_get 0 .sqlstate)" "a second mark of the done slot"
assert_eq "4" "$(pg_app_sql "SELECT string_agg(n::text, ',' ORDER BY n) FROM effects")" \
    "the effects after the fenced tasks"
assert_eq "done" "$(cluster_claim sqltask "$CL_SLOT" hostb 60)" "a claim after the mark"
