#!/bin/bash
# SPDX-License-Identifier: MIT
# No test script pipes into a reader that may stop before its writer is done
# (head, grep -q/-m, awk ... exit, sed ...q). Under `set -o pipefail` the
# writer then dies of SIGPIPE now and then, the pipeline fails with 141, and a
# passing test fails at random, or a `! a | grep -q` check passes while it
# should fail. Read a file directly, capture the writer's output first, or let
# the reader read to the end. A line that is safe anyway (the pipe runs
# inside a task, not in the test) ends with the comment `pipefail-safe`.
set -euo pipefail
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source tree (ctest sets it)}"
cd "$PT_SOURCE_DIR"
pattern='\|[[:space:]]*(head([[:space:]]|$)|grep[[:space:]]+-[[:alpha:]]*[qm]|awk[[:space:]][^|]*[{;[:space:]]exit([[:space:];}]|$)|sed[[:space:]][^|]*[;/}][0-9]*q)'
mapfile -t scripts < <(find tests packaging debian .ci -type f \( -name '*.sh' -o -path .ci/run \) | sort)
found=$(grep -nE -- "$pattern" "${scripts[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#|pipefail-safe' || true)
if [[ -n $found ]]; then
    echo "FAIL: a pipe into a reader that may stop early (SIGPIPE under pipefail):" >&2
    printf '    %s\n' "$found" >&2
    exit 1
fi
echo "PASS: no pipe into an early-stopping reader in ${#scripts[@]} scripts"
