#!/bin/bash
# SPDX-License-Identifier: MIT
# A single 1 MB line without a newline in between is handled: the task
# succeeds, its bytes are counted, the log gets the line (in pieces).
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

make_config <<TOML
[settings]
output_limit = "4MiB"

[[task]]
name = "long"
command = ["/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\\\0' a; echo; echo after"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
assert_eq 1000007 "$(json_get '.tasks[0].output_bytes')" "output_bytes"
assert_eq after "$(json_get '.tasks[0].output_tail[-1]')" "last line"
logged=$(LC_ALL=C awk '/^long\| a+$/ { n += length($0) - 6 } END { print n + 0 }' "$T/stderr")
assert_eq 1000000 "$logged" "bytes of the long line in the log"
assert_file_contains "$T/stderr" "long| after"
