#!/bin/bash
# SPDX-License-Identifier: MIT
# Building a task's environment grows linearly with its variables (it was
# quadratic: a scan of the block per variable, 10 s for 100,000 variables).
# Measured deterministically, not by the clock: valgrind counts the
# instructions executed inside pt::task_environment (and what it calls) for
# N and 4N variables; linear growth gives a ratio near 4, quadratic near 16.
# Valgrind cannot run a sanitizer build: tests/run-all.sh runs this test in
# the plain build only (label `valgrind`).
. "$(dirname "$0")/common.sh"
require_tool valgrind

# instructions_for N: prints the instructions spent building the environment
# of a task with N variables of its own (two of which override the runner's).
instructions_for() {
    local n=$1 config="$T/env-$1.toml" out="$T/callgrind-$1.out"
    {
        printf '[[task]]\nname = "wide"\ncommand = ["/bin/true"]\n[task.environment]\n'
        printf 'PATH = "/usr/bin:/bin"\nLANG = "C"\n'
        seq -f 'VARIABLE_%.0f = "value"' 1 "$((n - 2))"
    } | make_config "$config"
    timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect='pt::task_environment*' \
        "$PT_BIN" --config "$config" run >"$T/valgrind-$n.log" 2>&1 ||
        fail "valgrind run with $n variables failed: $(tail -n 20 "$T/valgrind-$n.log")"
    local total
    total=$(sed -n 's/^summary: \([0-9][0-9]*\).*/\1/p' "$out")
    [[ $total =~ ^[0-9]+$ && $total -gt 0 ]] ||
        fail "callgrind counted nothing in pt::task_environment with $n variables (renamed?)"
    printf '%s\n' "$total"
}

small=$(instructions_for 4000)
large=$(instructions_for 16000)
# Hundredths, in integers: 400 is linear, 1600 quadratic.
ratio=$((large * 100 / small))
echo "task_environment: $small instructions for 4000 variables, $large for 16000 (ratio $((ratio / 100)).$(printf '%02d' $((ratio % 100))))"
((ratio < 700)) ||
    fail "4x the variables cost ${ratio}/100 x the instructions; building the environment is not linear"
echo "PASS: $TEST_NAME"
