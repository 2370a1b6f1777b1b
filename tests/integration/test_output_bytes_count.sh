#!/bin/bash
# SPDX-License-Identifier: MIT
# output_bytes is exactly what the task wrote to stdout and stderr, also when
# the last line has no newline.
. "$(dirname "$0")/common.sh"
require_jq

make_config <<TOML
[[task]]
name = "lines"
command = ["/bin/sh", "-c", "printf 'one\\\\ntwo\\\\n'; printf 'err\\\\n' >&2"]

[[task]]
name = "unterminated"
command = ["/usr/bin/printf", "abc"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
assert_eq 12 "$(json_get '.tasks[0].output_bytes')" "output_bytes of 'one\\ntwo\\n' + 'err\\n'"
assert_eq 3 "$(json_get '.tasks[1].output_bytes')" "output_bytes of 'abc' without a newline"
assert_eq abc "$(json_get '.tasks[1].output_tail[-1]')" "output_tail of unterminated"
