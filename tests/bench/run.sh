#!/bin/bash
# SPDX-License-Identifier: MIT
# The benchmark behind docs/performance.md, in one command (Debian 12, as root):
#
#   tests/bench/run.sh [--quick] [--no-install] [--no-build] [--container]
#
# 1. installs what it needs with apt-get (the test dependencies, then
#    valgrind, strace and perf for the profiles), unless --no-install;
# 2. builds periodic_tasks (Release) in build-perf/release and the
#    benchmark's own programs (tests/bench/CMakeLists.txt: measure and the
#    floors) in build-perf/bench;
# 3. waits for the machine to be quiet (1-minute load below
#    PT_BENCH_MAX_LOAD, default 1.5, for at most PT_BENCH_LOAD_WAIT seconds,
#    default 900; then it runs anyway and the report says so);
# 4. in a private mount namespace, starts a private journald and a
#    throwaway PostgreSQL listening on its socket and on 127.0.0.1
#    (tests/integration/journal.sh and pg.sh, as the tests do) and runs
#    tests/bench/harness.py, which writes docs/performance.md and
#    build-perf/results.json. The sections of issue 14 (tests/bench/
#    wire_and_wakes.py) add: SQL tasks over a 1 ms link through
#    tests/bench/latency_proxy.py, which counts round trips; a wake of
#    `run --scheduled` with nothing due; periodic-tasks-generator on 100
#    scheduled tasks; cluster mode per slot and a fleet of hosts waking for
#    minutely tasks against the one server.
#
# Sizes and repetitions (environment): PT_BENCH_RUNS (rounds for small N,
# default 15; larger N get fewer, at least 3), PT_BENCH_COMMAND_NS ("1 10 100
# 1000"), PT_BENCH_STARTUP_NS ("10 100 1000"), PT_BENCH_SQL_NS ("1 10 100"),
# PT_BENCH_OUTPUT_MB ("1 10 100"), PT_BENCH_LATENCY_N (100, SQL tasks over
# the slow link), PT_BENCH_CLUSTER_SLOTS (10, slots a cluster run claims),
# PT_BENCH_FLEET ("50 200 1": hosts, minutely tasks, rounds; each round is
# hosts x tasks runner starts, the longest part of the benchmark),
# PT_BENCH_BUILD_DIR (build-perf), PT_BENCH_REPORT (docs/performance.md).
# --quick: small N and 3 rounds, for trying the harness; it writes
# build-perf/performance-quick.md instead.
# --no-build measures the binaries the last build left in build-perf.
# --container also times unit starts and daemon-reload under systemd in the
# system test's booted container (tests/bench/unit_start.sh; it builds the
# .deb unless PT_BENCH_DEB names one; PT_BENCH_UNIT_ROUNDS, default 30).
# Nothing here fails on a timing: targets are reported, met or not.
set -euo pipefail

PT_BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PT_BENCH_BUILD_DIR=${PT_BENCH_BUILD_DIR:-$PT_BENCH_ROOT/build-perf}

if [[ ${PT_IT_IN_JOURNAL_NS:-} != 1 ]]; then
    install=1 build=1 container=0
    for arg in "$@"; do
        case $arg in
        --quick)
            export PT_BENCH_RUNS=${PT_BENCH_RUNS:-3} PT_BENCH_COMMAND_NS=${PT_BENCH_COMMAND_NS:-"1 10 100"}
            export PT_BENCH_STARTUP_NS=${PT_BENCH_STARTUP_NS:-"10 100"} PT_BENCH_SQL_NS=${PT_BENCH_SQL_NS:-"1 10"}
            export PT_BENCH_OUTPUT_MB=${PT_BENCH_OUTPUT_MB:-"1 10"} PT_BENCH_LOAD_WAIT=${PT_BENCH_LOAD_WAIT:-0}
            export PT_BENCH_LATENCY_N=${PT_BENCH_LATENCY_N:-20} PT_BENCH_CLUSTER_SLOTS=${PT_BENCH_CLUSTER_SLOTS:-5}
            export PT_BENCH_FLEET=${PT_BENCH_FLEET:-"5 20 2"}
            export PT_BENCH_REPORT=${PT_BENCH_REPORT:-$PT_BENCH_BUILD_DIR/performance-quick.md}
            ;;
        --no-install) install=0 ;;
        --no-build) build=0 ;;
        --container) container=1 ;;
        -h | --help)
            sed -n '3,40p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "run.sh: unknown argument $arg (try --help)" >&2
            exit 64
            ;;
        esac
    done
    if [[ $(id -u) != 0 ]]; then
        echo "run.sh: run as root (apt-get, mount namespaces, PostgreSQL as user postgres)" >&2
        exit 77
    fi
    if ((install)); then
        echo "=== install" >&2
        "$PT_BENCH_ROOT/packaging/install-build-deps.sh" --tests
        # debianutils is essential (run-parts); valgrind, strace and perf profile.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            debianutils valgrind strace linux-perf >/dev/null
    fi

    if ((build)); then
        echo "=== build (Release) in $PT_BENCH_BUILD_DIR" >&2
        # The commit the measured binaries are built from, before anything
        # slow runs (the container step, the load wait).
        mkdir -p "$PT_BENCH_BUILD_DIR"
        git -C "$PT_BENCH_ROOT" rev-parse --short HEAD >"$PT_BENCH_BUILD_DIR/commit" 2>/dev/null || true
        cmake -S "$PT_BENCH_ROOT" -B "$PT_BENCH_BUILD_DIR/release" -G Ninja \
            -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
        cmake --build "$PT_BENCH_BUILD_DIR/release" -j2 --target periodic_tasks periodic-tasks-generator
        cmake -S "$PT_BENCH_ROOT/tests/bench" -B "$PT_BENCH_BUILD_DIR/bench" -G Ninja \
            -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$PT_BENCH_BUILD_DIR/bench" -j2
    fi

    # Unit start under systemd, in the system test's booted container
    # (tests/bench/unit_start.sh); outside the private mount namespace.
    rm -f "$PT_BENCH_BUILD_DIR/unit-start.json"
    if ((container)); then
        echo "=== unit start in the booted container" >&2
        "$PT_BENCH_ROOT/tests/bench/unit_start.sh" "$PT_BENCH_BUILD_DIR/unit-start.json" ${PT_BENCH_DEB:+"$PT_BENCH_DEB"}
    fi
    export PT_BENCH_UNIT_START=$PT_BENCH_BUILD_DIR/unit-start.json
    PT_BENCH_COMMIT=$(cat "$PT_BENCH_BUILD_DIR/commit" 2>/dev/null || true)
    export PT_BENCH_COMMIT

    # Timings on a busy machine measure the other work: wait for quiet.
    max_load=${PT_BENCH_MAX_LOAD:-1.5}
    deadline=$((SECONDS + ${PT_BENCH_LOAD_WAIT:-900}))
    PT_BENCH_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    while :; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        if awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }'; then
            break
        fi
        if ((SECONDS >= deadline)); then
            echo "run.sh: load $load is still above $max_load: running anyway (the report says so)" >&2
            break
        fi
        echo "run.sh: load $load is above $max_load: waiting (until $((deadline - SECONDS)) s from now)" >&2
        sleep 15
    done
    export PT_BENCH_LOAD_BEFORE PT_BENCH_MAX_LOAD=$max_load
    echo "=== benchmark (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
fi

# The rest runs twice: here, and again inside the private mount namespace
# that with_private_journal re-executes this script in.
export PT_BIN=$PT_BENCH_BUILD_DIR/release/periodic_tasks
# shellcheck source=../integration/common.sh
. "$PT_BENCH_ROOT/tests/integration/common.sh"
# shellcheck source=../integration/journal.sh
. "$PT_BENCH_ROOT/tests/integration/journal.sh"
# shellcheck source=../integration/pg.sh
. "$PT_BENCH_ROOT/tests/integration/pg.sh"

bench() {
    pg_start
    mkdir -p "$T/bench"
    # The lock directory on tmpfs, as systemd's RuntimeDirectory= is.
    export RUNTIME_DIRECTORY=/run/periodic-tasks-bench
    mkdir -p "$RUNTIME_DIRECTORY"
    PT_BENCH_BUILD=$PT_BENCH_BUILD_DIR/bench \
        PT_BENCH_WORK=$T/bench \
        PT_BENCH_REPORT=${PT_BENCH_REPORT:-$PT_BENCH_ROOT/docs/performance.md} \
        PT_BENCH_RESULTS=$PT_BENCH_BUILD_DIR/results.json \
        PT_SOURCE_DIR=$PT_BENCH_ROOT \
        PT_GENERATOR=$PT_BENCH_BUILD_DIR/release/periodic-tasks-generator \
        PT_JOURNAL_DIR=$PT_JOURNAL_DIR \
        PT_JOURNALD_PID=$PT_JOURNALD_PID \
        /usr/bin/python3 "$PT_BENCH_ROOT/tests/bench/harness.py"
}

with_private_journal bench
