#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a group-writable config file is refused (exit 78).
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]
TOML
chmod 0664 "$CFG"

run_pt --config "$CFG"
assert_rc 78
assert_contains "$(cat "$T/stderr")" "refusing untrusted config file" "stderr"
assert_contains "$(cat "$T/stderr")" "$CFG" "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
