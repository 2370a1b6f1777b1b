#!/bin/bash
# SPDX-License-Identifier: MIT
# A command whose output cannot be written (stdout on a full disk) does not
# exit 0 as if all was printed: it says so on stderr and exits 71 (EX_OSERR);
# a command that failed for its own reason keeps its exit code.
. "$(dirname "$0")/common.sh"
[[ -w /dev/full ]] || skip "/dev/full is missing"

make_config <<TOML
[[task]]
name = "cleanup"
command = ["/bin/true"]
TOML

for args in "list" "list --json" "check" "--version"; do
    rc=0
    # shellcheck disable=SC2086 # the words of $args are the arguments
    "$PT_BIN" --config "$CFG" $args >/dev/full 2>"$T/stderr" || rc=$?
    assert_eq 71 "$rc" "exit status of '$args' >/dev/full"
    assert_eq "periodic_tasks: error: writing to standard output: No space left on device" \
        "$(cat "$T/stderr")" "stderr of '$args' >/dev/full"
done

# A run that printed its summary to a full disk: the tasks ran; exit 71.
rc=0
"$PT_BIN" --config "$CFG" >/dev/full 2>"$T/stderr" || rc=$?
assert_eq 71 "$rc" "exit status of a run >/dev/full"
assert_file_contains "$T/stderr" "writing to standard output: No space left on device"

# A usage error stays a usage error (64) even when stdout is full.
rc=0
"$PT_BIN" --config "$CFG" --no-such-flag >/dev/full 2>"$T/stderr" || rc=$?
assert_eq 64 "$rc" "exit status of a usage error >/dev/full"

# And with room on stdout, nothing changes.
run_pt --config "$CFG" list
assert_rc 0
