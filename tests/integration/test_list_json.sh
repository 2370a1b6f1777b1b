#!/bin/bash
# SPDX-License-Identifier: MIT
# `list --json` gives the tasks in run order with name, enabled, command and
# source file, as JSON.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "cleanup"
command = ["/bin/sh", "-c", "echo ran > $T/ran"]

[[task]]
name = "reindex"
command = ["/bin/true"]
enabled = false
TOML
make_dropin 10-extra.toml <<TOML
[[task]]
name = "extra"
command = ["/usr/bin/env", "two words"]
TOML

run_pt --config "$CFG" list --json
assert_rc 0
assert_absent "$T/ran" "the marker of a task (list runs nothing)"
assert_eq "cleanup reindex extra" "$(json_get '[.tasks[].name] | join(" ")')" "names in order"
assert_eq "true false true" "$(json_get '[.tasks[].enabled | tostring] | join(" ")')" "enabled"
assert_eq '["/usr/bin/env","two words"]' "$(json_get '.tasks[2].command | tojson')" "command of extra"
assert_eq "$T/tasks.d/10-extra.toml" "$(json_get '.tasks[2].source')" "source of extra"
assert_eq "$CFG" "$(json_get '.tasks[0].source')" "source of cleanup"
