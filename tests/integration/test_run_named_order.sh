#!/bin/bash
# SPDX-License-Identifier: MIT
# `run B A` runs the named tasks in the order given.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "a"
command = ["/bin/sh", "-c", "echo a >> $T/order"]

[[task]]
name = "b"
command = ["/bin/sh", "-c", "echo b >> $T/order"]

[[task]]
name = "c"
command = ["/bin/sh", "-c", "echo c >> $T/order"]
TOML

run_pt --config "$CFG" run c a
assert_rc 0
assert_eq $'c\na' "$(cat "$T/order")" "the order tasks ran in"
