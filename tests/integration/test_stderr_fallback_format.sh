#!/bin/bash
# SPDX-License-Identifier: MIT
# Without a journald the records go to stderr as
# "periodic_tasks: MESSAGE [FIELD=value ...]", output lines as "TASK| line"
# (stdout) and "TASK! line" (stderr).
. "$(dirname "$0")/common.sh"
require_no_journal

make_config <<TOML
[[task]]
name = "talk"
command = ["/bin/sh", "-c", "echo hello; echo oops >&2"]

[[task]]
name = "x"
command = ["/bin/sh", "-c", "exit 3"]
TOML

run_pt --config "$CFG" --as-of 2024-02-29
assert_rc 1
log=$(cat "$T/stderr")
run_id=$(sed -n '/RUN_ID=[0-9a-f]\{32\}/{s/.*RUN_ID=\([0-9a-f]\{32\}\).*/\1/p;q}' "$T/stderr")
[[ -n $run_id ]] || fail "no RUN_ID=<32 hex digits> on stderr"
assert_eq 1 "$(grep -o 'RUN_ID=[0-9a-f]*' "$T/stderr" | sort -u | wc -l)" "distinct RUN_IDs"
assert_match "$log" "(^|"$'\n'")periodic_tasks: run started: [^"$'\n'"]*\[" "run started record"
assert_contains "$log" $'\ntalk| hello\n' "stdout line"
assert_contains "$log" $'\ntalk! oops\n' "stderr line"
started=$(grep -F 'periodic_tasks: task "x" started (2/2): /bin/sh -c '"'exit 3'"' [' "$T/stderr") ||
    fail "no record 'task \"x\" started (2/2): /bin/sh -c 'exit 3''"
assert_contains "$started" "TASK=x" "start record"
finished=$(grep -F 'periodic_tasks: task "x" failed: exit status 3 [' "$T/stderr") ||
    fail "no record 'task \"x\" failed: exit status 3'"
for field in TASK=x "RUN_ID=$run_id" TASK_RESULT=failed EXIT_STATUS=3 AS_OF=2024-02-29 DRY_RUN=0; do
    assert_match "$finished" "[[ ]${field}[] ]" "the failure record"
done
assert_match "$finished" '[[ ]DURATION_USEC=[0-9]+[] ]' "the failure record"
assert_match "$(grep -F 'task "talk" succeeded in ' "$T/stderr")" 'succeeded in [0-9]+\.[0-9]{3}s \[' "success record"
assert_match "$log" $'\nperiodic_tasks: run finished in [^\n]*\\[' "run finished record"
