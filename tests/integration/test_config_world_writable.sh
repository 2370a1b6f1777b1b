#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a config file that others can write is refused (exit 78):
# whoever can write it could run commands as root. No task runs.
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]
TOML
chmod 0666 "$CFG"

run_pt --config "$CFG"
assert_rc 78
assert_contains "$(cat "$T/stderr")" "refusing untrusted config file" "stderr"
assert_contains "$(cat "$T/stderr")" "$CFG" "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
