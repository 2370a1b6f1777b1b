#!/bin/bash
# SPDX-License-Identifier: MIT
# A lock directory that group or others may write to is refused (as the
# config trust rule refuses such a config file): anyone could create a task's
# lock file there and hold it forever. No task runs; each says why; exit 1.
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config cleanup
chmod 1777 "$RUNTIME_DIRECTORY"

run_pt --config "$CFG" --json
assert_rc 1
assert_absent "$T/cleanup-ran" "the marker of the task"
assert_absent "$RUNTIME_DIRECTORY/cleanup.lock" "a lock file in the refused directory"
assert_eq error "$(json_get '.tasks[0].result')" "result"
assert_eq "refusing lock directory $RUNTIME_DIRECTORY: mode 1777 is writable by group/others, who could hold any task's lock; fix with: chmod go-w $RUNTIME_DIRECTORY" \
    "$(json_get '.tasks[0].detail')" "detail"
