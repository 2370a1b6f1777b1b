#!/bin/bash
# SPDX-License-Identifier: MIT
# An idle wake, what a task's minutely timer does most of the time: nothing
# is due, so `run --scheduled` reads the task's slot file once, says why at
# debug level, and exits 0 without loading libpq or libsystemd and without
# building a run (no status thread, even under systemd's $NOTIFY_SOCKET).
# The same holds with [cluster]: a wake with no slot due even by a clock
# max_clock_skew away never opens the claim store, so it connects to nothing.
# Counted with strace, not timed.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal
require_tool strace

# idle_wake WHAT: one `run --scheduled daily` of $CFG under strace, which
# must be an idle wake that reads the slot file once and starts nothing.
idle_wake() {
    # LeakSanitizer cannot run under ptrace (a sanitizer build would abort):
    # leaks are checked by the other tests of that build.
    PT_RC=0
    NOTIFY_SOCKET=$T/no-such-socket ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -o "$T/strace" -e trace=open,openat,clone,clone3,connect \
        "$PT_BIN" --config "$CFG" run --scheduled daily >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    assert_rc 0
    assert_eq "" "$(cat "$T/stdout")" "stdout of an idle wake ($1)"
    assert_contains "$(cat "$T/stderr")" "nothing due" "why ($1)"
    assert_eq "$(daily_slot 0)" "$(slot_done daily)" "the slot file, untouched ($1)"
    count() { grep -c -E -- "$1" "$T/strace" || true; }
    assert_eq 0 "$(count 'libpq\.so')" "opens of libpq ($1)"
    assert_eq 0 "$(count 'libsystemd\.so')" "opens of libsystemd ($1)"
    assert_eq 1 "$(count "\"$SLOTS_DIR/daily\"|, \"daily\"")" "opens of the slot file ($1)"
    assert_eq 0 "$(count '^[0-9]+ +clone3?\(')" "threads or processes started ($1)"
    assert_eq 0 "$(count '^[0-9]+ +connect\(')" "connections ($1)"
}

make_daily_task "" 0 # done through today's slot: nothing due until tomorrow
idle_wake "a task alone"

# With [cluster] on a database nobody listens for: an idle wake never asks.
{
    printf '[databases.main]\nconninfo = "host=%s/no-server port=5432 dbname=app"\n\n' "$T"
    printf '[cluster]\ndatabase = "main"\n\n'
    daily_task_toml ""
} | make_config
idle_wake "with [cluster]"
echo "PASS: $TEST_NAME"
