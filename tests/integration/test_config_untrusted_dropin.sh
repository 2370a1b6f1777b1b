#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a world-writable drop-in is refused like the main file
# (exit 78), and no task runs, not even the main file's.
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_config <<TOML
[[task]]
name = "first"
command = ["/bin/sh", "-c", "echo ran > $T/first-ran"]
TOML
make_dropin 10-extra.toml <<TOML
[[task]]
name = "extra"
command = ["/bin/sh", "-c", "echo ran > $T/extra-ran"]
TOML
chmod 0666 "$T/tasks.d/10-extra.toml"

run_pt --config "$CFG"
assert_rc 78
assert_contains "$(cat "$T/stderr")" "refusing untrusted config file" "stderr"
assert_contains "$(cat "$T/stderr")" "$T/tasks.d/10-extra.toml" "stderr"
assert_absent "$T/first-ran" "the marker of the first task"
assert_absent "$T/extra-ran" "the marker of the drop-in's task"
