#!/bin/bash
# SPDX-License-Identifier: MIT
# On a read-only lock directory (EROFS), a task whose lock file already exists
# is locked through a read-only descriptor and runs, as with EACCES; one whose
# lock file is missing cannot be locked and is an error naming the file.
. "$(dirname "$0")/common.sh"
require_jq
require_root "a read-only bind mount needs a mount namespace"
require_tool unshare mount

make_config <<TOML
[[task]]
name = "cleanup"
command = ["/bin/sh", "-c", "echo ran >> $T/cleanup-ran"]

[[task]]
name = "fresh"
command = ["/bin/sh", "-c", "echo ran > $T/fresh-ran"]
TOML
run_pt --config "$CFG" --json run cleanup
assert_rc 0
rm "$T/cleanup-ran"

PT_ARGS="--config $CFG --json (lock directory mounted read-only)" PT_RC=0
# shellcheck disable=SC2016 # the inner bash expands them
unshare -m --propagation private -- bash -c \
    'mount --bind -o ro "$1" "$1" && exec timeout 60 "$2" --config "$3" --json' \
    _ "$RUNTIME_DIRECTORY" "$PT_BIN" "$CFG" </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
assert_rc 1
assert_exists "$T/cleanup-ran" "the marker of the task whose lock file existed"
assert_eq success "$(json_get '.tasks[0].result')" "result of cleanup"
assert_absent "$T/fresh-ran" "the marker of the task without a lock file"
assert_eq "cannot open lock file $RUNTIME_DIRECTORY/fresh.lock: Read-only file system" \
    "$(json_get '.tasks[1].detail')" "detail of fresh"
