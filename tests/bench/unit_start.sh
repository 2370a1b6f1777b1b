#!/bin/bash
# SPDX-License-Identifier: MIT
# Unit start in a booted container, for docs/performance.md (run by
# tests/bench/run.sh --container, as root):
#
#   tests/bench/unit_start.sh RESULTS.json [PACKAGE.deb]
#
# Boots the system test's Debian 12 container (tests/system/container.sh:
# the cached rootfs, an overlay, systemd as PID 1), installs the package
# (built with tests/system/build-deb.sh when none is given), and configures
# 100 scheduled tasks plus "idle", all scheduled once a year. Then, in
# PT_BENCH_UNIT_ROUNDS rounds (default 30), the order alternating, it times
# inside the container:
#   - `systemctl start periodic-tasks@idle.service`: a wake with nothing due
#     (one start before the rounds records the task's first sight);
#   - `systemctl start bench-true.service`: a oneshot running /bin/true with
#     the [Service] section of periodic-tasks@.service otherwise unchanged
#     (user, directories, sandbox): the floor;
#   - `systemctl daemon-reload`, and the generator alone on the same config
#     (into a scratch directory), for its share of a reload.
# Writes the raw times (µs) as JSON to RESULTS.json. Nothing fails on a timing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../system/container.sh
source "$root/tests/system/container.sh"

results=${1:?usage: unit_start.sh RESULTS.json [PACKAGE.deb]}
DEB=${2:-}
rounds=${PT_BENCH_UNIT_ROUNDS:-30}
tasks=100

T=$(mktemp -d /tmp/periodic-tasks-bench-unit.XXXXXX)
cleanup() {
    container_stop
    container_unmount
    rm -rf "$T"
}
trap cleanup EXIT

if [[ -z $DEB ]]; then
    echo "unit_start: building the package" >&2
    DEB=$("$root/tests/system/build-deb.sh" "$T/debs" | tail -n 1)
fi
DEB=$(realpath "$DEB")
rootfs=$(ensure_rootfs)
echo "unit_start: booting $rootfs" >&2
container_start "$rootfs" "$T/nspawn.log" "$T/machine" --bind-ro="$(dirname "$DEB")":/srv/debs
if ! in_ctr env DEBIAN_FRONTEND=noninteractive apt-get install -y "/srv/debs/$(basename "$DEB")" >"$T/apt.log" 2>&1; then
    in_ctr apt-get update -qq >>"$T/apt.log" 2>&1 || true
    in_ctr env DEBIAN_FRONTEND=noninteractive apt-get install -y "/srv/debs/$(basename "$DEB")" >>"$T/apt.log" 2>&1 ||
        { tail -n 20 "$T/apt.log" >&2; exit 1; }
fi

# The config: "idle" and 100 more scheduled tasks, none due before next year.
{
    printf '[[task]]\nname = "idle"\nschedule = "*-01-01 00:00:00 UTC"\ncommand = ["/bin/true"]\n\n'
    for ((i = 0; i < tasks; i++)); do
        printf '[[task]]\nname = "s%03d"\nschedule = "*-01-01 00:00:00 UTC"\ncommand = ["/bin/true"]\n\n' "$i"
    done
} >"$T/config.toml"
in_ctr sh -c 'cat >/etc/periodic-tasks/config.toml' <"$T/config.toml"
in_ctr systemctl daemon-reload

# The floor: /bin/true under the same [Service] section.
{
    printf '[Unit]\nDescription=bench: /bin/true with the [Service] of periodic-tasks@.service\n\n'
    # shellcheck disable=SC2016 # a sed address, not an expansion
    in_ctr sed -n '/^\[Service\]/,$p' /lib/systemd/system/periodic-tasks@.service |
        sed 's|^ExecStart=.*|ExecStart=/bin/true|'
} >"$T/bench-true.service"
in_ctr sh -c 'cat >/etc/systemd/system/bench-true.service' <"$T/bench-true.service"
in_ctr systemctl daemon-reload

# The config watcher reacts to the edit with a reload of its own: let it end.
deadline=$((SECONDS + 60))
while [[ $(in_ctr systemctl is-active periodic-tasks-reload.service || true) == activating ]]; do
    ((SECONDS < deadline)) || { echo "unit_start: periodic-tasks-reload.service did not end" >&2; exit 1; }
    sleep 0.2
done

# The first wake records first sight; a first start of each warms up. The
# first wake's failure is reported, not fatal (it was seen failing to create
# the slot directory while the second wake worked); a second failure is.
first_wake=success
if ! in_ctr systemctl start periodic-tasks@idle.service 2>/dev/null; then
    first_wake=$(in_ctr journalctl --no-pager -o cat -p err -n 1 \
        _SYSTEMD_UNIT=periodic-tasks@idle.service || true)
    echo "unit_start: the first wake failed: $first_wake" >&2
fi
for unit in periodic-tasks@idle.service bench-true.service; do
    if ! in_ctr systemctl start "$unit"; then
        in_ctr journalctl --no-pager -n 30 -u "$unit" >&2 || true
        exit 1
    fi
done

# The rounds, timed inside the container ($EPOCHREALTIME, µs), order alternating.
cat >"$T/rounds.sh" <<'SH'
rounds=$1
us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
time_it() { # time_it KEY COMMAND...: prints "KEY MICROSECONDS"
    local key=$1 t0 t1
    shift
    t0=$(us)
    "$@" >/dev/null
    t1=$(us)
    echo "$key $((t1 - t0))"
}
mkdir -p /tmp/gen/n /tmp/gen/e /tmp/gen/l
for ((r = 0; r < rounds; r++)); do
    if ((r % 2)); then
        time_it unit systemctl start periodic-tasks@idle.service
        time_it floor systemctl start bench-true.service
    else
        time_it floor systemctl start bench-true.service
        time_it unit systemctl start periodic-tasks@idle.service
    fi
    time_it reload systemctl daemon-reload
    rm -rf /tmp/gen/n/* /tmp/gen/e/* /tmp/gen/l/*
    time_it generator /lib/systemd/system-generators/periodic-tasks-generator /tmp/gen/n /tmp/gen/e /tmp/gen/l
done
SH
in_ctr bash -s "$rounds" <"$T/rounds.sh" >"$T/times.txt"
result=$(in_ctr systemctl show -p Result --value periodic-tasks@idle.service)

python3 - "$T/times.txt" "$results" "$rounds" "$tasks" "$result" "$first_wake" <<'PY'
import json, sys
times, out, rounds, tasks, result, first_wake = sys.argv[1:]
raw = {}
for line in open(times):
    key, us = line.split()
    raw.setdefault(key, []).append(int(us))
json.dump({"rounds": int(rounds), "tasks": int(tasks) + 1, "unit_result": result,
           "first_wake": first_wake, "raw_us": raw},
          open(out, "w"), indent=1)
PY
echo "unit_start: wrote $results" >&2
