# SPDX-License-Identifier: MIT
# Driving the cluster claim store (cluster mode, issue 13) through the
# cluster_probe helper (tests/helpers/cluster_probe.cpp: one JSON line per
# outcome). Source after common.sh and pg.sh.

: "${PT_CLUSTER_PROBE:?PT_CLUSTER_PROBE must name the cluster_probe helper (ctest sets it)}"

# A slot: 2026-12-07T07:00:00Z in microseconds since 1970, and its RFC 3339 form.
CL_SLOT=1796626800000000
CL_SLOT_TEXT=2026-12-07T07:00:00Z

# cluster_run ARGS...: runs cluster_probe with ARGS like run_pt runs the
# binary: stdout to $T/stdout, stderr to $T/stderr, exit status to PT_RC.
cluster_run() {
    PT_ARGS="cluster_probe $*"
    PT_RC=0
    timeout --kill-after=5 "${PT_RUN_TIMEOUT:-60}" "$PT_CLUSTER_PROBE" "$@" \
        </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    if [[ $PT_RC == 124 || $PT_RC == 137 ]]; then
        fail "cluster_probe $* did not finish within ${PT_RUN_TIMEOUT:-60}s"
    fi
}

# cluster_claim TASK SLOT HOST LEASE_SECONDS [OPTIONS...]: claims as role
# "app"; prints the outcome word (claimed, done, held) and leaves the JSON
# line in $T/stdout.
cluster_claim() {
    cluster_run "$PT_PG_APP_CONNINFO" claim "$@"
    [[ $PT_RC == 0 ]] || fail "claim $* failed (exit $PT_RC): $(cat "$T/stdout" "$T/stderr")"
    json_get 'select(.op == "claim") | .outcome'
}

# cluster_row TASK SLOT: prints "attempt|state|host|result" of the claim row.
cluster_row() {
    pg_sql "SELECT attempt || '|' || state || '|' || host || '|' || coalesce(result, '')
            FROM periodic_tasks.claims WHERE task = '$1' AND slot = to_timestamp($2 / 1e6)" app
}

# start_holder TASK SLOT HOST LEASE_SECONDS [OPTIONS...]: starts cluster_probe
# claiming in the background (output in $T/holder.out, pid in HOLDER_PID)
# and waits until it has printed its claim's outcome.
start_holder() {
    "$PT_CLUSTER_PROBE" "$PT_PG_APP_CONNINFO" claim "$@" >"$T/holder.out" 2>&1 &
    HOLDER_PID=$!
    BG_PIDS+=("$HOLDER_PID")
    local deadline=$((SECONDS + 20))
    until [[ -s $T/holder.out ]]; do
        ((SECONDS < deadline)) || fail "the holder printed nothing"
        sleep 0.02
    done
}
