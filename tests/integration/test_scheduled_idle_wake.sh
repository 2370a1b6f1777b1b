#!/bin/bash
# SPDX-License-Identifier: MIT
# An idle wake, what a task's minutely timer does most of the time: nothing
# is due, so `run --scheduled` reads the task's slot file once, says why at
# debug level, and exits 0 without loading libpq or libsystemd and without
# building a run (no status thread, even under systemd's $NOTIFY_SOCKET).
# Counted with strace, not timed.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal
require_tool strace

make_daily_task "" 0 # done through today's slot: nothing due until tomorrow
# LeakSanitizer cannot run under ptrace (a sanitizer build would abort):
# leaks are checked by the other tests of that build.
PT_RC=0
NOTIFY_SOCKET=$T/no-such-socket ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -o "$T/strace" -e trace=open,openat,clone,clone3 \
    "$PT_BIN" --config "$CFG" run --scheduled daily >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
assert_rc 0
assert_eq "" "$(cat "$T/stdout")" "stdout of an idle wake"
assert_contains "$(cat "$T/stderr")" "nothing due" "why"
assert_eq "$(daily_slot 0)" "$(slot_done daily)" "the slot file, untouched"
count() { grep -c -E -- "$1" "$T/strace" || true; }
assert_eq 0 "$(count 'libpq\.so')" "opens of libpq"
assert_eq 0 "$(count 'libsystemd\.so')" "opens of libsystemd"
assert_eq 1 "$(count "\"$SLOTS_DIR/daily\"|, \"daily\"")" "opens of the slot file"
assert_eq 0 "$(count '^[0-9]+ +clone3?\(')" "threads or processes started"
echo "PASS: $TEST_NAME"
