#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGHUP to the runner counts as SIGTERM (docs/cli.md): the task is stopped,
# nothing more starts, exit 143.
. "$(dirname "$0")/common.sh"
require_jq

make_interrupt_config

start_runner "$T/started"
stop_runner HUP
assert_rc 143
assert_absent "$T/later-ran" "the marker of the task after the interrupted one"
no_process_matching "$MARK"
assert_eq interrupted "$(json_get '.tasks[1].skip_reason')" "skip_reason of later"
