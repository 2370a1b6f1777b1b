#!/bin/bash
# SPDX-License-Identifier: MIT
# Drop-ins (tasks.d/*.toml beside the config) run after the main file's
# tasks, sorted by file name; other files in tasks.d are ignored.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "main-1"
command = ["/bin/sh", "-c", "echo main-1 >> $T/order"]

[[task]]
name = "main-2"
command = ["/bin/sh", "-c", "echo main-2 >> $T/order"]
TOML
make_dropin 20-b.toml <<TOML
[[task]]
name = "b"
command = ["/bin/sh", "-c", "echo b >> $T/order"]
TOML
make_dropin 10-a.toml <<TOML
[[task]]
name = "a-1"
command = ["/bin/sh", "-c", "echo a-1 >> $T/order"]

[[task]]
name = "a-2"
command = ["/bin/sh", "-c", "echo a-2 >> $T/order"]
TOML
make_dropin 05-ignored.toml.disabled <<TOML
[[task]]
name = "ignored"
command = ["/bin/sh", "-c", "echo ignored >> $T/order"]
TOML
make_dropin README <<TOML
not TOML at all
TOML

run_pt --config "$CFG"
assert_rc 0
assert_eq $'main-1\nmain-2\na-1\na-2\nb' "$(cat "$T/order")" "the order tasks ran in"
