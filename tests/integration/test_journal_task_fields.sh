#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald, every task record carries the documented fields, a
# `journalctl TASK=name` match finds exactly that task's records, and a
# failure is logged at PRIORITY 3.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

body() {
    make_config <<TOML
[[task]]
name = "good"
command = ["/bin/true"]

[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 3"]
TOML
    run_pt --config "$CFG" --as-of 2024-02-29 --json
}
with_private_journal body
assert_rc 1
run_id=$(json_get '.run_id')

journal_records TASK=bad >"$T/bad.json"
assert_eq bad "$(json_get '[.[].TASK] | unique | join(" ")' "$T/bad.json")" "TASK of records matched by TASK=bad"
failed='.[] | select(.TASK_RESULT == "failed")'
assert_eq 1 "$(json_get "[$failed] | length" "$T/bad.json")" "records with TASK_RESULT=failed"
for pair in MESSAGE='task "bad" failed: exit status 3' PRIORITY=3 SYSLOG_IDENTIFIER=periodic_tasks \
    RUN_ID="$run_id" TASK_KIND=command EXIT_STATUS=3 AS_OF=2024-02-29 DRY_RUN=0 TRIGGER=manual; do
    field=${pair%%=*}
    assert_eq "${pair#*=}" "$(json_get "$failed | .$field" "$T/bad.json")" "$field of the failure record"
done
assert_match "$(json_get "$failed | .DURATION_USEC" "$T/bad.json")" '^[0-9]+$' "DURATION_USEC"
assert_match "$(json_get "$failed | .MESSAGE_ID" "$T/bad.json")" '^[0-9a-f]{32}$' "MESSAGE_ID"
started=$(json_get '.[] | select(.MESSAGE | startswith("task \"bad\" started")) | .MESSAGE' "$T/bad.json")
assert_eq "task \"bad\" started (2/2): /bin/sh -c 'exit 3'" "$started" "start record"

journal_records TASK=good >"$T/good.json"
ok='.[] | select(.TASK_RESULT == "success")'
assert_eq 1 "$(json_get "[$ok] | length" "$T/good.json")" "records with TASK_RESULT=success"
assert_eq 6 "$(json_get "$ok | .PRIORITY" "$T/good.json")" "PRIORITY of the success record"
assert_eq 0 "$(json_get "$ok | .EXIT_STATUS" "$T/good.json")" "EXIT_STATUS of the success record"
assert_match "$(json_get "$ok | .MESSAGE" "$T/good.json")" '^task "good" succeeded in [0-9]+\.[0-9]{3}s$' "MESSAGE"
