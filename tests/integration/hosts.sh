# SPDX-License-Identifier: MIT
# Several runners as the hosts of one cluster (cluster mode, issue 13). Source
# after common.sh and pg.sh (and slots.sh or proxy.sh where a test needs them).
#
# A host NAME is the built periodic_tasks in a UTS namespace of its own
# (`unshare -u sh -c 'hostname NAME; exec periodic_tasks ...'`, so the runner's
# and its tasks' host name is NAME), with its own STATE_DIRECTORY (slot state)
# and RUNTIME_DIRECTORY (local locks). Everything a host has is under
# $T/hosts/NAME: state/, run/, and the last run's stdout, stderr and rc.
# Every host talks to the test's one PostgreSQL over its unix socket or
# 127.0.0.1 (through a proxy.sh proxy for a host that a test partitions).
#
# A barrier releases hosts at the same instant: each host, once in its
# namespace, blocks opening the barrier FIFO for reading; barrier_release waits
# until every one of them is blocked there, then opens the FIFO itself, which
# unblocks them all at once (open(2) of a FIFO waits for the other end).
#
#   barrier_new
#   host_start hosta --config "$CFG" --json run --scheduled task   # x N
#   barrier_release hosta hostb ...
#   hosts_wait 60 hosta hostb ...          # HOST_RC[NAME] is each exit status
#   barrier_close

declare -gA HOST_PID=() HOST_RC=()
HOST_BARRIER=""    # the FIFO that host_start makes a host wait on ("" = none)
HOST_BARRIER_FD="" # the test's end of it, open between release and close
HOST_BARRIERS=0
HOST_WRAPPER=()    # words put before the binary, e.g. (faketime -f +5m)

# require_hosts: skips unless this test may make UTS namespaces and name hosts.
require_hosts() {
    require_root "unshare -u and hostname need CAP_SYS_ADMIN"
    require_tool unshare hostname jq
    unshare -u -- true 2>/dev/null || skip "unshare -u fails here: no UTS namespaces for the hosts (a container without CAP_SYS_ADMIN?)"
}

# host_init NAME: makes host NAME's directories (safe to repeat).
host_init() {
    local dir="$T/hosts/$1"
    mkdir -p "$dir/state" "$dir/run"
    chmod 0755 "$T/hosts" "$dir" "$dir/state" "$dir/run"
}

# host_slot_state NAME TASK SCHEDULE DONE_THROUGH: host NAME's slot state of
# TASK, as a run that did TASK's slots up to DONE_THROUGH left it (slots.sh's
# write_slot_state, in the host's STATE_DIRECTORY).
host_slot_state() {
    local slots="$T/hosts/$1/state/slots"
    if [[ ! -d $slots ]]; then
        host_init "$1"
        mkdir -p "$slots"
        chmod 0755 "$slots"
    fi
    printf 'schedule=%s\ndone_through=%s\n' "$3" "$4" >"$slots/$2"
}

# host_slot_done NAME TASK: prints host NAME's done_through of TASK (nothing
# when it has no slot file).
host_slot_done() {
    local file="$T/hosts/$1/state/slots/$2"
    [[ -f $file ]] || return 0
    sed -n 's/^done_through=//p' "$file"
}

# host_start NAME ARGS...: starts `periodic_tasks ARGS...` in the background
# as host NAME (behind ${HOST_WRAPPER[@]}; stdin /dev/null, stdout and stderr
# to the host's files) and returns at once; with a barrier made by barrier_new,
# the host waits for barrier_release before it executes the runner. The
# background pid is the runner's own (unshare and sh exec into it):
# HOST_PID[NAME].
host_start() {
    local name=$1 dir="$T/hosts/$1"
    shift
    host_init "$name"
    rm -f "$dir/rc" "$dir/ready"
    # shellcheck disable=SC2016 # the script is for the inner sh
    STATE_DIRECTORY="$dir/state" RUNTIME_DIRECTORY="$dir/run" unshare -u -- sh -c '
        hostname "$1" || exit 70
        : >"$2"
        if [ -n "$3" ]; then : <"$3"; fi
        shift 3
        exec "$@"' sh "$name" "$dir/ready" "$HOST_BARRIER" "${HOST_WRAPPER[@]}" "$PT_BIN" "$@" \
        </dev/null >"$dir/stdout" 2>"$dir/stderr" &
    HOST_PID[$name]=$!
    HOST_RC[$name]=""
    BG_PIDS+=("$!")
    printf '%s\n' "$*" >"$dir/args"
}

# host_wait NAME SECONDS: waits for host NAME's runner to end; sets
# HOST_RC[NAME] (and the file rc); fails if it runs longer than SECONDS.
host_wait() {
    local dir="$T/hosts/$1" pid=${HOST_PID[$1]:-} deadline=$((SECONDS + $2)) rc=0
    [[ -n $pid ]] || fail "host $1 was not started"
    while host_running "$1"; do
        ((SECONDS < deadline)) || fail "host $1 (periodic_tasks $(cat "$dir/args")) still runs after $2 s"
        sleep 0.01
    done
    wait "$pid" 2>/dev/null || rc=$? # no "Killed" notice from bash
    HOST_RC[$1]=$rc
    HOST_PID[$1]=""
    printf '%s\n' "$rc" >"$dir/rc"
}

# hosts_wait SECONDS NAME...: host_wait for every NAME, all within SECONDS.
hosts_wait() {
    local deadline=$((SECONDS + $1)) name left
    shift
    for name in "$@"; do
        left=$((deadline - SECONDS))
        ((left > 0)) || left=1
        host_wait "$name" "$left"
    done
}

# host_run NAME ARGS...: host_start without a barrier, then host_wait within
# ${PT_RUN_TIMEOUT:-60} s.
host_run() {
    local name=$1 barrier=$HOST_BARRIER
    HOST_BARRIER=""
    host_start "$@"
    HOST_BARRIER=$barrier
    host_wait "$name" "${PT_RUN_TIMEOUT:-60}"
}

# host_running NAME: succeeds while host NAME's runner has not ended.
host_running() {
    local pid=${HOST_PID[$1]:-} stat=""
    [[ -n $pid ]] || return 1
    read -r stat 2>/dev/null <"/proc/$pid/stat" || true # no fork: hosts_wait polls it often
    stat=${stat##*) }                                    # the state follows "(comm) "
    [[ -n $stat && ${stat:0:1} != Z ]]
}

# host_wait_for_file NAME PATH SECONDS: waits for PATH to exist while host
# NAME runs; fails when SECONDS pass or the host ends first (with its output).
host_wait_for_file() {
    local deadline=$((SECONDS + $3))
    until [[ -e $2 ]]; do
        host_running "$1" || [[ -e $2 ]] || fail "host $1 ended before $2 appeared"
        ((SECONDS < deadline)) || fail "$2 did not appear within $3 s"
        sleep 0.02
    done
}

# host_kill NAME: SIGKILLs host NAME's runner (only the runner: its task has a
# session of its own) and reaps it; HOST_RC[NAME] becomes 137.
host_kill() {
    [[ -n ${HOST_PID[$1]:-} ]] || fail "host $1 is not running"
    kill -KILL "${HOST_PID[$1]}"
    host_wait "$1" 10
}

# host_assert_rc NAME EXPECTED: checks host NAME's last exit status.
host_assert_rc() {
    [[ ${HOST_RC[$1]:-} == "$2" ]] ||
        fail "host $1 (periodic_tasks $(cat "$T/hosts/$1/args")): expected exit status $2, got ${HOST_RC[$1]:-none}"
}

# host_json NAME FILTER: jq's raw output of FILTER on host NAME's last stdout
# (`run --scheduled --json` prints one object per slot run).
host_json() {
    json_get "$2" "$T/hosts/$1/stdout"
}

# host_task NAME: prints "result|skip_reason|owner host|claim_attempt|detail"
# of the first task of host NAME's last --json run (null fields empty).
host_task() {
    host_json "$1" '.tasks[0] | [.result, .skip_reason, .owner.host, .claim_attempt, .detail]
        | map(. // "" | tostring) | join("|")'
}

# host_run_until_won SECONDS NAME ARGS...: runs `periodic_tasks ARGS...` as
# host NAME again and again until a run's first task is not skipped with
# skip_reason "claimed"; every run before it must be exactly that and exit 0.
# Fails after SECONDS. Sets HOST_TRIES to the number of runs; the winning run's
# output is host NAME's last.
host_run_until_won() {
    local deadline=$((SECONDS + $1)) name=$2 task
    shift
    HOST_TRIES=0
    while :; do
        host_run "$@"
        HOST_TRIES=$((HOST_TRIES + 1))
        task=$(host_task "$name")
        cat "$T/hosts/$name/stdout" >>"$T/hosts/$name/tries"
        [[ $task == skipped\|claimed\|* ]] || return 0
        host_assert_rc "$name" 0
        ((SECONDS < deadline)) || fail "host $name still lost the claim after $HOST_TRIES runs: $task"
        sleep 0.2
    done
}

# --- The barrier -----------------------------------------------------------------

# barrier_new: makes a FIFO that the hosts started next wait on.
barrier_new() {
    HOST_BARRIERS=$((HOST_BARRIERS + 1))
    HOST_BARRIER="$T/barrier.$HOST_BARRIERS"
    mkfifo "$HOST_BARRIER"
}

# barrier_release NAME...: waits (30 s at most) until every host NAME waits on
# the barrier, then releases them all at once. The FIFO stays open until
# barrier_close, so a host that is still on its way through open(2) passes too.
barrier_release() {
    local deadline=$((SECONDS + 30)) name pid wchan
    for name in "$@"; do
        pid=${HOST_PID[$name]:-}
        [[ -n $pid ]] || fail "host $name was not started"
        # Blocked in open(2) on a FIFO is the kernel's wait_for_partner.
        while :; do
            wchan=""
            read -r wchan 2>/dev/null <"/proc/$pid/wchan" || true # no newline at its end
            [[ $wchan == wait_for_partner ]] && break
            kill -0 "$pid" 2>/dev/null || fail "host $name ended before the barrier: $(cat "$T/hosts/$name/stderr")"
            ((SECONDS < deadline)) || fail "host $name did not reach the barrier within 30 s (wchan '$wchan')"
            sleep 0.01
        done
    done
    exec {HOST_BARRIER_FD}<>"$HOST_BARRIER" # read-write: never blocks, and counts as the writer
}

# barrier_close: closes and removes the barrier; hosts started next do not wait.
barrier_close() {
    if [[ -n $HOST_BARRIER_FD ]]; then
        exec {HOST_BARRIER_FD}>&-
        HOST_BARRIER_FD=""
    fi
    [[ -z $HOST_BARRIER ]] || rm -f "$HOST_BARRIER"
    HOST_BARRIER=""
}

# --- The cluster -------------------------------------------------------------------

# cluster_config_toml LEASE [CONNINFO [EXTRA DATABASE LINES...]]: prints the
# [databases.main] table (default: role "app" over the unix socket) and a
# [cluster] on it with lease LEASE.
cluster_config_toml() {
    local lease=$1
    shift
    pg_database_toml "$@"
    printf '\n[cluster]\ndatabase = "main"\nlease = "%s"\n\n' "$lease"
}

# claim_row TASK SLOT_TEXT: prints "attempt|state|host|result" of the claim
# of TASK for the slot SLOT_TEXT (RFC 3339), nothing when there is none.
claim_row() {
    pg_sql "SELECT attempt || '|' || state || '|' || host || '|' || coalesce(result, '')
            FROM periodic_tasks.claims WHERE task = '$1' AND slot = '$2'::timestamptz" app
}

# claim_count TASK: prints how many claims of TASK there are (0 also when the
# cluster schema was never created).
claim_count() {
    if [[ -z $(pg_sql "SELECT to_regclass('periodic_tasks.claims')" app) ]]; then
        echo 0
        return 0
    fi
    pg_sql "SELECT count(*) FROM periodic_tasks.claims WHERE task = '$1'" app
}

# claim_lease_until TASK SLOT_TEXT: prints the claim's lease end, seconds
# since the epoch with a fraction (the database clock, this machine's).
claim_lease_until() {
    pg_sql "SELECT extract(epoch FROM lease_until) FROM periodic_tasks.claims
            WHERE task = '$1' AND slot = '$2'::timestamptz" app
}

# --- On failure --------------------------------------------------------------------

# show_hosts_output: prints the end of every host's last stdout and stderr.
show_hosts_output() {
    local dir stream
    for dir in "$T"/hosts/*/; do
        [[ -d $dir ]] || continue
        for stream in stdout stderr; do
            if [[ -s $dir$stream ]]; then
                echo "--- host $(basename "$dir")'s $stream (last 15 lines, cut at 300 columns):" >&2
                tail -n 15 "$dir$stream" | cut -c1-300 >&2
            fi
        done
    done
}

# A failure shows the hosts' output too (common.sh's fail and ERR trap call
# show_last_run).
eval "common_show_last_run() $(declare -f show_last_run | sed 1d)"
show_last_run() {
    common_show_last_run
    show_hosts_output
}
