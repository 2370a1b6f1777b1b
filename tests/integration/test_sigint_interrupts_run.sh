#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGINT (Ctrl-C) to the runner mid-task stops it like SIGTERM, exit 130.
. "$(dirname "$0")/common.sh"
require_jq

make_interrupt_config

# A script's background job starts with SIGINT ignored; a terminal's
# foreground job does not: restore the default, as a shell with job control would.
start_runner "$T/started" env --default-signal=INT
stop_runner INT
assert_rc 130
assert_absent "$T/later-ran" "the marker of the task after the interrupted one"
no_process_matching "$MARK"
assert_eq SIGINT "$(json_get '.interrupted_by')" "interrupted_by"
assert_eq interrupted "$(json_get '.tasks[1].skip_reason')" "skip_reason of later"
