#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald, each output line is its own record with TASK, RUN_ID and
# STREAM (stdout at PRIORITY 6, stderr at PRIORITY 4); nothing goes to stderr.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

body() {
    make_config <<TOML
[[task]]
name = "talk"
command = ["/bin/sh", "-c", "echo 'hello world'; echo oops >&2; echo bye"]
TOML
    run_pt --config "$CFG" --json
}
with_private_journal body
assert_rc 0
run_id=$(json_get '.run_id')

journal_records TASK=talk STREAM=stdout >"$T/out.json"
assert_eq "hello world|bye" "$(json_get '[.[].MESSAGE] | join("|")' "$T/out.json")" "stdout lines"
assert_eq 6 "$(json_get '[.[].PRIORITY] | unique | join(" ")' "$T/out.json")" "PRIORITY of stdout lines"
assert_eq "$run_id" "$(json_get '[.[].RUN_ID] | unique | join(" ")' "$T/out.json")" "RUN_ID of stdout lines"

journal_records TASK=talk STREAM=stderr >"$T/err.json"
assert_eq oops "$(json_get '[.[].MESSAGE] | join("|")' "$T/err.json")" "stderr lines"
assert_eq 4 "$(json_get '.[0].PRIORITY' "$T/err.json")" "PRIORITY of the stderr line"
assert_eq "$run_id" "$(json_get '.[0].RUN_ID' "$T/err.json")" "RUN_ID of the stderr line"

assert_file_not_contains "$T/stderr" "periodic_tasks: task"
assert_file_not_contains "$T/stderr" "talk| hello"
