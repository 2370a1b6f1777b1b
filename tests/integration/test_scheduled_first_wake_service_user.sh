#!/bin/bash
# SPDX-License-Identifier: MIT
# The very first wake of a scheduled task on a fresh install runs as the
# service user (not root) with an empty state directory: it creates the slot
# directory and records the first sight, exit 0. (It used to fail, exit 71,
# with "cannot create slot directory ...: Success": the check for root after
# a mkdir that worked fell into the error branch with a stale errno.)
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_root "runs the wake as user nobody"
require_tool runuser
require_no_journal

make_daily_task latest # and no slot directory at all
chmod 0755 "$T"
chmod 0644 "$CFG"
chown nobody: "$STATE_DIRECTORY" "$RUNTIME_DIRECTORY"
assert_absent "$SLOTS_DIR"

PT_RC=0
runuser -u nobody -- env STATE_DIRECTORY="$STATE_DIRECTORY" RUNTIME_DIRECTORY="$RUNTIME_DIRECTORY" \
    "$PT_BIN" --config "$CFG" run --scheduled daily </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
PT_ARGS="--config $CFG run --scheduled daily (as nobody)"
assert_rc 0
assert_file_not_contains "$T/stderr" "cannot create slot directory"
assert_eq "nobody" "$(stat -c '%U' "$SLOTS_DIR")" "owner of the slot directory"
assert_contains "$(cat "$T/stderr")" "first run of this schedule: no slot is due now" "why"
slot_done daily >/dev/null

echo "PASS: $TEST_NAME"
