#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a config file owned by another user is refused (exit 78).
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only, and chown needs root"
id nobody >/dev/null 2>&1 || skip "there is no user 'nobody' to own the file"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]
TOML
chown nobody "$CFG"

run_pt --config "$CFG"
assert_rc 78
assert_contains "$(cat "$T/stderr")" "refusing untrusted config file" "stderr"
assert_contains "$(cat "$T/stderr")" "$CFG" "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
