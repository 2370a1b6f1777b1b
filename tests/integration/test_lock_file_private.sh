#!/bin/bash
# SPDX-License-Identifier: MIT
# Whoever can open a task's lock file can flock it and keep the task from
# ever running (every run: skipped, exit 75). Lock files are private (0600),
# an older 0644 one is made private at the next run, and root's manual run in
# the service user's lock directory hands the file to that user, so the
# service can still lock it.
. "$(dirname "$0")/common.sh"
require_root "runs the task as root and tries the lock as nobody"
require_tool flock runuser
require_jq
nobody_can() { runuser -u nobody -- "$@" 2>/dev/null; }

make_config <<TOML
[[task]]
name = "nightly"
command = ["/bin/true"]
TOML
chmod 0755 "$T" "$RUNTIME_DIRECTORY"

# 1. A new lock file: 0600, and nobody else can open it to hold it.
run_pt --config "$CFG"
assert_rc 0
lock="$RUNTIME_DIRECTORY/nightly.lock"
assert_eq "600 root" "$(stat -c '%a %U' "$lock")" "mode and owner of a new lock file"
if nobody_can flock -n "$lock" true; then
    fail "user nobody could open and lock $lock"
fi

# 2. A 0644 lock file from an earlier version becomes private at the next run.
chmod 0644 "$lock"
nobody_can flock -n "$lock" true || fail "setup: nobody cannot lock a 0644 file"
run_pt --config "$CFG"
assert_rc 0
assert_eq "600" "$(stat -c '%a' "$lock")" "mode of an old lock file after a run"

# 3. The service user's directory (here nobody's): root's manual run gives the
# file it creates to that user, who can then run the task too.
shared="$T/shared"
mkdir -m 0755 "$shared"
chown nobody: "$shared"
RUNTIME_DIRECTORY=$shared run_pt --config "$CFG"
assert_rc 0
assert_eq "600 nobody" "$(stat -c '%a %U' "$shared/nightly.lock")" "root's lock file in nobody's directory"
PT_RC=0
runuser -u nobody -- env RUNTIME_DIRECTORY="$shared" "$PT_BIN" --config "$CFG" run --json \
    </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "the service user's run after root's"

echo "PASS: $TEST_NAME"
