#!/bin/bash
# SPDX-License-Identifier: MIT
# `check` on a valid config with a drop-in prints "FILE: OK, N tasks from M
# files", exits 0, and runs nothing.
. "$(dirname "$0")/common.sh"

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
command = ["/bin/true"]
TOML

run_pt --config "$CFG" check
assert_rc 0
assert_eq "$CFG: OK, 3 tasks from 2 files" "$(cat "$T/stdout")" "stdout"
assert_absent "$T/ran" "the marker of a task (check runs nothing)"
