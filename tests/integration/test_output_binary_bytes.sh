#!/bin/bash
# SPDX-License-Identifier: MIT
# NUL bytes and invalid UTF-8 in output do not crash or truncate anything:
# the task succeeds, the JSON summary stays valid, later lines still arrive.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

make_config <<TOML
[[task]]
name = "bin"
command = ["/usr/bin/printf", "a\\\\0b\\\\377\\\\n\\\\300\\\\200\\\\355\\\\240\\\\200 x\\\\nlast\\\\n"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
jq -e . "$T/stdout" >/dev/null || fail "--json output is not valid JSON"
assert_eq success "$(json_get '.tasks[0].result')" "result"
assert_eq 18 "$(json_get '.tasks[0].output_bytes')" "output_bytes"
assert_eq last "$(json_get '.tasks[0].output_tail[-1]')" "last line"
assert_eq 3 "$(json_get '.tasks[0].output_tail | length')" "lines in output_tail"
# Whatever the rendering of the bad bytes, "a" and "b" are one line.
assert_match "$(grep -a '^bin| a' "$T/stderr")" '^bin\| a.+b' "the line with a NUL"
assert_file_contains "$T/stderr" "bin| last"
