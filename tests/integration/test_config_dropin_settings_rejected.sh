#!/bin/bash
# SPDX-License-Identifier: MIT
# Drop-ins hold only [[task]] tables: [settings] in one is a config error
# (exit 78) at the drop-in; no task runs.
. "$(dirname "$0")/common.sh"

make_marker_config first
make_dropin 10-settings.toml <<TOML
[settings]
timeout = "1s"
TOML

run_pt --config "$CFG"
assert_rc 78
assert_match "$(cat "$T/stderr")" "^periodic_tasks: error: $T/tasks.d/10-settings.toml:1:[0-9]+: " "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
