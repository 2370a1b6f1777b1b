#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a world-writable drop-in is refused like the main file
# (exit 78), and no task runs, not even the main file's.
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_marker_config first
marker_tasks_toml extra | make_dropin 10-extra.toml
chmod 0666 "$T/tasks.d/10-extra.toml"

run_pt_untrusted "$T/tasks.d/10-extra.toml"
assert_absent "$T/first-ran" "the marker of the first task"
assert_absent "$T/extra-ran" "the marker of the drop-in's task"
