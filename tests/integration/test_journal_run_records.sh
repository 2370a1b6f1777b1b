#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald, a run logs "run started" and "run finished" records with
# its RUN_ID and MESSAGE_IDs, and the summary table still goes to stdout.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

body() {
    make_config <<TOML
[[task]]
name = "good"
command = ["/bin/true"]
TOML
    run_pt --config "$CFG" --as-of 2024-02-29
}
with_private_journal body
assert_rc 0
assert_match "$(cat "$T/stdout")" $'\n1 task: 1 succeeded, 0 failed, 0 skipped in ' "summary on stdout"

journal_records SYSLOG_IDENTIFIER=periodic_tasks >"$T/all.json"
started=$(json_get '[.[] | select(.MESSAGE | startswith("run started"))]' "$T/all.json")
finished=$(json_get '[.[] | select(.MESSAGE | startswith("run finished"))]' "$T/all.json")
assert_eq 1 "$(jq length <<<"$started")" "run started records"
assert_eq 1 "$(jq length <<<"$finished")" "run finished records"
run_id=$(jq -r '.[0].RUN_ID' <<<"$started")
assert_match "$run_id" '^[0-9a-f]{32}$' "RUN_ID"
assert_eq "$run_id" "$(jq -r '.[0].RUN_ID' <<<"$finished")" "RUN_ID of run finished"
assert_eq "$run_id" "$(json_get '[.[].RUN_ID] | unique | join(" ")' "$T/all.json")" "RUN_ID of every record"
assert_eq 2024-02-29 "$(jq -r '.[0].AS_OF' <<<"$started")" "AS_OF of run started"
assert_eq manual "$(jq -r '.[0].TRIGGER' <<<"$started")" "TRIGGER of run started"
assert_match "$(jq -r '.[0].MESSAGE_ID' <<<"$started")" '^[0-9a-f]{32}$' "MESSAGE_ID of run started"
assert_match "$(jq -r '.[0].MESSAGE_ID' <<<"$finished")" '^[0-9a-f]{32}$' "MESSAGE_ID of run finished"
[[ $(jq -r '.[0].MESSAGE_ID' <<<"$started") != $(jq -r '.[0].MESSAGE_ID' <<<"$finished") ]] ||
    fail "run started and run finished share a MESSAGE_ID"
