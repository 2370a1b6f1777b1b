#!/bin/bash
# SPDX-License-Identifier: MIT
# A lock file that is a hard link to another file is refused with an error
# naming it and the fix: the runner never writes its pid into (or truncates)
# a file it did not create. The task does not run; the next one does; exit 1.
. "$(dirname "$0")/common.sh"
require_jq

make_marker_config cleanup after
printf 'precious bytes\nof another file\n' >"$T/victim"
ln "$T/victim" "$RUNTIME_DIRECTORY/cleanup.lock"

run_pt --config "$CFG" --json
assert_rc 1
assert_eq $'precious bytes\nof another file' "$(cat "$T/victim")" "the victim's contents"
assert_absent "$T/cleanup-ran" "the marker of the refused task"
assert_exists "$T/after-ran" "the marker of the next task"
assert_eq error "$(json_get '.tasks[0].result')" "result"
assert_eq "refusing lock file $RUNTIME_DIRECTORY/cleanup.lock: it has 2 hard links, so it is another file's name too; fix with: rm $RUNTIME_DIRECTORY/cleanup.lock" \
    "$(json_get '.tasks[0].detail')" "detail"
