#!/bin/bash
# SPDX-License-Identifier: MIT
# `list` prints the tasks in run order (drop-ins after the main file) with
# whether each is enabled and where it is defined, and runs nothing.
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
timeout = "90s"
TOML

run_pt --config "$CFG" list
assert_rc 0
assert_absent "$T/ran" "the marker of a task (list runs nothing)"
assert_match "$(sed -n 1p "$T/stdout")" 'TASK' "header line"
rows=$(sed 1d "$T/stdout")
assert_eq 3 "$(wc -l <<<"$rows")" "rows"
assert_match "$(sed -n 1p <<<"$rows")" '(^|[[:space:]])cleanup[[:space:]].*(yes|true).*config\.toml:1' "row of cleanup"
assert_match "$(sed -n 2p <<<"$rows")" '(^|[[:space:]])reindex[[:space:]].*(no|false).*config\.toml:5' "row of reindex"
assert_match "$(sed -n 3p <<<"$rows")" '(^|[[:space:]])extra[[:space:]].*(yes|true).*10-extra\.toml:1' "row of extra"
