#!/bin/bash
# SPDX-License-Identifier: MIT
# `check` and `run` accept the same settings.timezone: a zone that is not a TZif
# file under /usr/share/zoneinfo (an unknown name, a directory, a POSIX TZ string,
# zone.tab) is a config error (exit 78) at the value's line and column in both.
. "$(dirname "$0")/common.sh"

refused() {
    local zone=$1 why=$2
    make_config <<TOML
[settings]
timezone = "$zone"

[[task]]
name = "marker"
command = ["/bin/sh", "-c", "echo ran > $T/ran"]
TOML
    local expected="periodic_tasks: error: $CFG:2:12: unknown timezone \"$zone\" in [settings]: $why; use an IANA zone name such as \"UTC\" or \"Europe/Berlin\" (a file under /usr/share/zoneinfo)"
    run_pt --config "$CFG" check
    assert_rc 78
    assert_eq "$expected" "$(cat "$T/stderr")" "check's stderr for $zone"
    run_pt --config "$CFG" run
    assert_rc 78
    assert_eq "$expected" "$(cat "$T/stderr")" "run's stderr for $zone"
    run_pt --config "$CFG" run --as-of 2025-01-27
    assert_rc 78
    assert_absent "$T/ran" "the marker of a run with $zone"
}

refused "Mars/Olympus" "no /usr/share/zoneinfo/Mars/Olympus"
refused "EST5EDT,M3.2.0,M11.1.0" "no /usr/share/zoneinfo/EST5EDT,M3.2.0,M11.1.0"
refused "<+03>-3" "no /usr/share/zoneinfo/<+03>-3"
if [[ -d /usr/share/zoneinfo/America ]]; then
    refused "America" "/usr/share/zoneinfo/America is not a zone file (TZif)"
fi
if [[ -f /usr/share/zoneinfo/zone.tab ]]; then
    refused "zone.tab" "/usr/share/zoneinfo/zone.tab is not a zone file (TZif)"
fi

for zone in UTC Etc/UTC Europe/Berlin; do
    [[ $zone == Europe/* && ! -f /usr/share/zoneinfo/$zone ]] && continue
    make_config <<TOML
[settings]
timezone = "$zone"

[[task]]
name = "ok"
command = ["/bin/true"]
TOML
    run_pt --config "$CFG" check
    assert_rc 0
    run_pt --config "$CFG" run
    assert_rc 0
done
