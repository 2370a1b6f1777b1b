#!/bin/bash
# SPDX-License-Identifier: MIT
# The generator delays boot and every daemon-reload, so it reads each zone
# file a config names a bounded number of times, not once per task: 100
# scheduled tasks in two zones open each zone file at most twice (the check of
# the name and glibc's load for the abbreviations), /etc/localtime at most
# twice, and never probe a time such as "08:40" as a zone name. Counted with
# strace, not timed.
. "$(dirname "$0")/common.sh"
: "${PT_GENERATOR:?PT_GENERATOR must name the built periodic-tasks-generator (ctest sets it)}"
require_tool strace
export SYSTEMD_LOG_TARGET=console

{
    printf '[settings]\ntimezone = "Europe/Berlin"\n'
    schedules=("Mon *-*-* 08:40" "*:0/15" "daily" "*-*-* 00:05:00 UTC" "Sun 03:00" "minutely"
        "Mon..Fri 09:30 America/New_York" "Sat 23:59 Asia/Tokyo")
    for i in $(seq 0 99); do
        printf '\n[[task]]\nname = "t%d"\nschedule = "%s"\ncommand = ["/bin/true"]\n' \
            "$i" "${schedules[i % ${#schedules[@]}]}"
    done
} | make_config
mkdir -p "$T/out/normal" "$T/out/early" "$T/out/late"
# LeakSanitizer cannot run under ptrace (a sanitizer build would abort):
# leaks are checked by the other tests of that build.
PERIODIC_TASKS_CONFIG=$CFG ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -o "$T/strace" -e trace=open,openat \
    "$PT_GENERATOR" "$T/out/normal" "$T/out/early" "$T/out/late" 2>"$T/gen.stderr"
assert_eq "" "$(cat "$T/gen.stderr")" "the generator's messages"
assert_eq 100 "$(find "$T/out/normal" -name schedule.conf | wc -l)" "timer drop-ins written"
opens() { grep -c -F -- "\"$1" "$T/strace" || true; }
berlin=$(opens /usr/share/zoneinfo/Europe/Berlin\")
new_york=$(opens /usr/share/zoneinfo/America/New_York\")
localtime=$(opens /etc/localtime\")
probes=$(opens /usr/share/zoneinfo/0)
echo "    opens: Europe/Berlin $berlin, America/New_York $new_york, /etc/localtime $localtime, times probed as zones $probes"
((berlin >= 1 && berlin <= 2)) || fail "Europe/Berlin opened $berlin times for 100 tasks"
((new_york >= 1 && new_york <= 2)) || fail "America/New_York opened $new_york times"
((localtime <= 2)) || fail "/etc/localtime opened $localtime times"
assert_eq 0 "$probes" "times such as 08:40 looked up as zone files"
echo "PASS: $TEST_NAME"
