#!/bin/bash
# SPDX-License-Identifier: MIT
# A task runs in working_directory, and in / when it sets none.
. "$(dirname "$0")/common.sh"

mkdir "$T/work"
make_config <<TOML
[[task]]
name = "default"
command = ["/bin/sh", "-c", "pwd > $T/default-pwd"]

[[task]]
name = "set"
command = ["/bin/sh", "-c", "pwd > $T/set-pwd"]
working_directory = "$T/work"
TOML

(cd "$T" && run_pt --config "$CFG")
assert_eq / "$(cat "$T/default-pwd")" "working directory by default"
assert_eq "$T/work" "$(cat "$T/set-pwd")" "working directory when set"
