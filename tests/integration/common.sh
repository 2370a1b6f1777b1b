# SPDX-License-Identifier: MIT
# Sourced by every tests/integration/test_*.sh (ctest runs each as `bash SCRIPT`
# with PT_BIN, PT_MAXRSS and PT_SOURCE_DIR set). Each test gets its own temp
# directory, lock directory and process marker, so tests can run in parallel;
# any failing command stops the test with its line (mold's test/common.inc
# style), and exit 125 means "a tool this test needs is missing", never a
# failure in disguise.
set -eEuo pipefail # -E: the ERR trap also fires inside functions

TEST_NAME=$(basename "$0" .sh)

on_error() {
    local code=$1 line=$2 command=$3
    echo "FAIL: $TEST_NAME: line $line: '$command' exited $code" >&2
    show_last_run
    exit 1 # never 125: a failure must not pass for a skip
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

: "${PT_BIN:?PT_BIN must name the built periodic_tasks binary (ctest sets it)}"
[[ -x $PT_BIN ]] || { echo "FAIL: $TEST_NAME: PT_BIN=$PT_BIN is not executable" >&2; exit 1; }

# Every process a test starts on purpose carries MARK in its command line
# (`exec -a "$MARK" sleep 300`), so "nothing is left behind" is a /proc scan.
MARK="ptmark-$$-$RANDOM$RANDOM"
T=$(mktemp -d "${TMPDIR:-/tmp}/pt-it.$TEST_NAME.XXXXXX")
chmod 0755 "$T"
CFG="$T/config.toml"
BG_PIDS=()       # background helpers (flock holders, runners) to stop on exit
CLEANUP_HOOKS=() # commands to run on exit, e.g. stopping journald

# The run's surroundings are the test's alone: its lock directory, and no
# variable from the caller's session that changes the runner's behaviour.
export RUNTIME_DIRECTORY="$T/run"
mkdir -p "$RUNTIME_DIRECTORY"
unset PERIODIC_TASKS_CONFIG INVOCATION_ID JOURNAL_STREAM XDG_RUNTIME_DIR STATE_DIRECTORY \
    TRIGGER_TIMER_REALTIME_USEC TRIGGER_TIMER_MONOTONIC_USEC

pt_cleanup() {
    local pid
    disown -a 2>/dev/null || true # we kill our jobs: no "Killed" reports
    for hook in "${CLEANUP_HOOKS[@]}"; do
        eval "$hook" || true
    done
    for pid in "${BG_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in $(procs_matching "$MARK" | cut -d' ' -f1); do
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ ${PT_KEEP_TMP:-0} == 1 ]]; then
        echo "kept $T" >&2
    else
        rm -rf "$T"
    fi
}
trap 'pt_cleanup' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- Verdicts ---------------------------------------------------------------

# show_last_run: prints the end of the last run_pt's stdout and stderr.
show_last_run() {
    local stream
    for stream in stdout stderr; do
        if [[ -s $T/$stream ]]; then
            echo "--- last run's $stream (last 30 lines, cut at 200 columns):" >&2
            tail -n 30 "$T/$stream" | cut -c1-200 >&2
        fi
    done
}

# fail MESSAGE: ends the test as failed, with the last run's output.
fail() {
    echo "FAIL: $TEST_NAME: $*" >&2
    show_last_run
    exit 1
}

# skip MESSAGE: ends the test as skipped (ctest SKIP_RETURN_CODE 125). Only
# for a tool or privilege that is truly absent; MESSAGE says which.
skip() {
    echo "SKIP: $TEST_NAME: $*" >&2
    trap - ERR
    exit 125
}

# require_tool NAME...: skips unless every NAME is on PATH.
require_tool() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install -y $tool)"
    done
}

require_root() {
    [[ $(id -u) == 0 ]] || skip "needs root: $*"
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
    [[ $1 == "$2" ]] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_contains TEXT NEEDLE [WHAT]: NEEDLE is a fixed string.
assert_contains() {
    [[ $1 == *"$2"* ]] || fail "${3:-text} does not contain '$2'; it is: ${1:0:2000}"
}

# assert_not_contains TEXT NEEDLE [WHAT]
assert_not_contains() {
    [[ $1 != *"$2"* ]] || fail "${3:-text} contains '$2' but must not"
}

# assert_match TEXT REGEX [WHAT]: bash extended regex.
assert_match() {
    [[ $1 =~ $2 ]] || fail "${3:-text} does not match /$2/; it is: ${1:0:2000}"
}

# assert_file_contains FILE NEEDLE: NEEDLE is a fixed string.
assert_file_contains() {
    grep -qF -- "$2" "$1" || fail "$1 does not contain '$2'"
}

assert_file_not_contains() {
    ! grep -qF -- "$2" "$1" || fail "$1 contains '$2' but must not: $(grep -F -m 3 -- "$2" "$1")"
}

assert_exists() {
    [[ -e $1 ]] || fail "${2:-$1} does not exist"
}

assert_absent() {
    [[ ! -e $1 ]] || fail "${2:-$1} exists but must not"
}

# assert_rc EXPECTED: checks the exit status of the last run_pt.
assert_rc() {
    [[ $PT_RC == "$1" ]] || fail "periodic_tasks $PT_ARGS: expected exit status $1, got $PT_RC"
}

# --- Files --------------------------------------------------------------------

# make_config [PATH]: writes stdin to PATH (default $CFG) as a trusted config
# file: mode 0644, owned by the user running the test (root in CI).
make_config() {
    local path=${1:-$CFG}
    mkdir -p "$(dirname "$path")"
    cat >"$path"
    chmod 0644 "$path"
    chown "$(id -u):$(id -g)" "$path"
}

# make_dropin NAME: writes stdin to the drop-in tasks.d/NAME beside $CFG.
make_dropin() {
    make_config "$T/tasks.d/$1"
}

# marker_tasks_toml NAME...: prints the TOML of one task per NAME, in order,
# whose command writes its marker $T/NAME-ran: a task that ran leaves it.
marker_tasks_toml() {
    local name separator=""
    for name in "$@"; do
        printf '%s[[task]]\nname = "%s"\ncommand = ["/bin/sh", "-c", "echo ran > %s"]\n' \
            "$separator" "$name" "$T/$name-ran"
        separator=$'\n'
    done
}

# make_marker_config NAME...: writes $CFG with marker_tasks_toml NAME... alone.
make_marker_config() {
    marker_tasks_toml "$@" | make_config
}

# make_script NAME: writes stdin to $T/NAME as an executable, prints its path.
make_script() {
    cat >"$T/$1"
    chmod 0755 "$T/$1"
    printf '%s\n' "$T/$1"
}

# --- Running the binary --------------------------------------------------------

# run_pt ARGS...: runs periodic_tasks with stdin from $PT_STDIN (default
# /dev/null); stdout goes to $T/stdout, stderr to $T/stderr, the exit status
# to PT_RC. Never stops the test by itself, except when the run hangs.
run_pt() {
    PT_ARGS="$*"
    PT_RC=0
    timeout --kill-after=5 "${PT_RUN_TIMEOUT:-60}" "$PT_BIN" "$@" \
        <"${PT_STDIN:-/dev/null}" >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    if [[ $PT_RC == 124 || $PT_RC == 137 ]]; then
        fail "periodic_tasks $PT_ARGS did not finish within ${PT_RUN_TIMEOUT:-60}s"
    fi
}

# run_pt_untrusted FILE: runs periodic_tasks --config $CFG, which must refuse
# FILE as an untrusted config file: exit 78, stderr naming the reason and FILE.
run_pt_untrusted() {
    run_pt --config "$CFG"
    assert_rc 78
    assert_contains "$(cat "$T/stderr")" "refusing untrusted config file" "stderr"
    assert_contains "$(cat "$T/stderr")" "$1" "stderr"
}

# run_pt_maxrss ARGS...: like run_pt, under $PT_MAXRSS; sets PT_MAXRSS_KIB.
run_pt_maxrss() {
    : "${PT_MAXRSS:?PT_MAXRSS must name the maxrss helper (ctest sets it)}"
    PT_ARGS="$*"
    PT_RC=0
    timeout --kill-after=5 "${PT_RUN_TIMEOUT:-60}" "$PT_MAXRSS" "$PT_BIN" "$@" \
        </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    PT_MAXRSS_KIB=$(sed -n 's/^maxrss_kib=\([0-9][0-9]*\)$/\1/p' "$T/stderr" | tail -n 1)
    [[ -n $PT_MAXRSS_KIB ]] || fail "maxrss printed no maxrss_kib= line"
}

# json_get FILTER [FILE]: prints jq's raw output of FILTER on FILE (default
# the last run's stdout); fails if FILE is not JSON.
json_get() {
    local file=${2:-$T/stdout}
    jq -r "$1" "$file" 2>"$T/jq.err" ||
        fail "jq '$1' on $file failed: $(cat "$T/jq.err"); the file starts: $(head -c 500 "$file")"
}

require_jq() {
    command -v jq >/dev/null 2>&1 || skip "jq is not installed (apt-get install -y jq); it reads --json output"
}

# --- Peak RSS -------------------------------------------------------------------

# setup_maxrss: prepares a test of the runner's peak RSS: needs PT_MAXRSS,
# turns off AddressSanitizer's quarantine (freed memory it holds before reuse,
# 256 MB by default, is the sanitizer's, not the runner's), and gives each run
# 240 s (a Debug+ASan runner is slow, more so on a busy machine).
setup_maxrss() {
    : "${PT_MAXRSS:?PT_MAXRSS must name the maxrss helper (ctest sets it)}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    PT_RUN_TIMEOUT=240
}

# run_pt_maxrss_over BASELINE_CONFIG: runs `--config BASELINE_CONFIG --json`
# (which must exit 0), then `--config $CFG --json`, both under run_pt_maxrss;
# sets RSS_BASELINE_KIB to the first's peak, RSS_ELAPSED to the second's
# seconds, and PT_RC and PT_MAXRSS_KIB as the second left them.
run_pt_maxrss_over() {
    local start
    run_pt_maxrss --config "$1" --json
    assert_rc 0
    RSS_BASELINE_KIB=$PT_MAXRSS_KIB
    start=$SECONDS
    run_pt_maxrss --config "$CFG" --json
    RSS_ELAPSED=$((SECONDS - start))
}

# assert_rss_growth BASELINE_WHAT WHAT: prints both peaks of
# run_pt_maxrss_over, and fails if WHAT's is 10 MiB or more above
# BASELINE_WHAT's.
assert_rss_growth() {
    local growth=$((PT_MAXRSS_KIB - RSS_BASELINE_KIB))
    echo "maxrss: $1 ${RSS_BASELINE_KIB} KiB, $2 ${PT_MAXRSS_KIB} KiB (+${growth} KiB) in ${RSS_ELAPSED}s"
    ((growth < 10240)) || fail "peak RSS grew by ${growth} KiB ($1 ${RSS_BASELINE_KIB} KiB, $2 ${PT_MAXRSS_KIB} KiB)"
}

# --- Processes -----------------------------------------------------------------

# procs_matching TEXT: prints "PID CMDLINE" of every process (but this shell)
# whose command line contains TEXT. Pure bash, so the scan cannot match itself.
procs_matching() {
    local f pid args joined
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        args=()
        mapfile -d '' args 2>/dev/null <"$f" || continue # it may have exited
        ((${#args[@]} > 0)) || continue
        joined="${args[*]}"
        if [[ $joined == *"$1"* ]]; then
            printf '%s %s\n' "$pid" "$joined"
        fi
    done
    return 0
}

# no_process_matching [TEXT]: waits up to 3 s for every process whose command
# line contains TEXT (default $MARK) to be gone; fails listing the survivors.
no_process_matching() {
    local text=${1:-$MARK} survivors deadline=$((SECONDS + 3))
    while :; do
        survivors=$(procs_matching "$text")
        [[ -z $survivors ]] && return 0
        ((SECONDS < deadline)) || break
        sleep 0.05
    done
    fail "processes left behind (matching $text):"$'\n'"$survivors"
}

# wait_for_file PATH [SECONDS]: waits (default 10 s) for PATH to exist.
wait_for_file() {
    local deadline=$((SECONDS + ${2:-10}))
    until [[ -e $1 ]]; do
        ((SECONDS < deadline)) || fail "$1 did not appear within ${2:-10}s"
        sleep 0.02
    done
}

# wait_for_exit PID SECONDS: waits for child PID to end, sets WAIT_RC to its
# status; fails if it is still running after SECONDS.
# shellcheck disable=SC2034 # WAIT_RC is read by the tests
wait_for_exit() {
    local pid=$1 deadline=$((SECONDS + $2)) state
    while :; do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
        [[ -z $state || $state == Z ]] && break
        ((SECONDS < deadline)) || fail "process $pid still running after $2 s"
        sleep 0.02
    done
    WAIT_RC=0
    wait "$pid" || WAIT_RC=$?
}

# hold_lock TASK: holds TASK's lock from outside (util-linux flock), as
# another run would, until the test ends. Sets HOLDER_PID.
hold_lock() {
    require_tool flock
    local file="$RUNTIME_DIRECTORY/$1.lock"
    # shellcheck disable=SC2016 # $0 is for the inner bash
    flock "$file" bash -c 'exec -a "$0" sleep 300' "$MARK-lockholder" &
    HOLDER_PID=$!
    BG_PIDS+=("$HOLDER_PID")
    local i
    for ((i = 0; i < 200; i++)); do
        if [[ -e $file ]] && ! flock -n "$file" true; then
            return 0
        fi
        sleep 0.02
    done
    fail "flock did not take $file"
}

# --- Interrupting a run -------------------------------------------------------

# make_interrupt_config: writes $CFG with the run a signal interrupts: task
# "slow" touches $T/started and sleeps (as $MARK, kill_timeout 1s); task
# "later" would write $T/later-ran.
make_interrupt_config() {
    make_config <<TOML
[[task]]
name = "slow"
command = ["/bin/bash", "-c", "touch $T/started; exec -a \"\$0\" sleep 300", "$MARK"]
timeout = "60s"
kill_timeout = "1s"

[[task]]
name = "later"
command = ["/bin/sh", "-c", "echo ran > $T/later-ran"]
TOML
}

# start_runner STARTED [PREFIX...]: starts `PREFIX... periodic_tasks --config
# $CFG --json` in the background, output to $T/stdout and $T/stderr, and waits
# for the file STARTED, which its task touches. Sets RUNNER_PID.
start_runner() {
    local started=$1
    shift
    start_runner_nowait "$@"
    wait_for_file "$started"
}

# start_runner_nowait [PREFIX...]: start_runner without waiting for anything,
# for a test that waits for its own sign (a statement on the server, say).
start_runner_nowait() {
    "$@" "$PT_BIN" --config "$CFG" --json </dev/null >"$T/stdout" 2>"$T/stderr" &
    RUNNER_PID=$!
    BG_PIDS+=("$RUNNER_PID")
}

# wait_runner SECONDS: waits up to SECONDS for the runner of start_runner to
# end by itself; sets PT_RC and PT_ARGS as run_pt does, for assert_rc.
wait_runner() {
    wait_for_exit "$RUNNER_PID" "$1"
    PT_RC=$WAIT_RC
    PT_ARGS="--config $CFG --json"
}

# stop_runner SIGNAL: sends SIGNAL (a name without SIG) to the runner of
# start_runner and waits up to 10 s for it to end; sets PT_RC and PT_ARGS as
# run_pt does, for assert_rc.
stop_runner() {
    kill -s "$1" "$RUNNER_PID"
    wait_for_exit "$RUNNER_PID" 10
    PT_RC=$WAIT_RC
    PT_ARGS="--config $CFG --json (SIG$1)"
}

# --- No journal ----------------------------------------------------------------

# require_no_journal: makes sure the runner finds no journald socket, so its
# records go to stderr. On a machine with a journald it re-runs the test in a
# private mount namespace where /run/systemd/journal is an empty tmpfs.
require_no_journal() {
    [[ -e /run/systemd/journal/socket ]] || return 0
    [[ ${PT_IT_JOURNAL_HIDDEN:-} == 1 ]] && fail "/run/systemd/journal/socket still visible after hiding it"
    [[ $(id -u) == 0 ]] || skip "journald runs here; hiding it from the runner needs root"
    require_tool unshare
    trap - EXIT
    pt_cleanup
    # shellcheck disable=SC2016
    exec unshare -m --propagation private -- env PT_IT_JOURNAL_HIDDEN=1 bash -c \
        'mount -t tmpfs tmpfs /run/systemd/journal && exec bash "$0"' "$0"
}
