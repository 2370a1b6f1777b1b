#!/bin/bash
# SPDX-License-Identifier: MIT
# `check` warns about a command task the kernel would refuse to start (E2BIG):
# one argument over MAX_ARG_STRLEN, or arguments and environment over ARG_MAX
# (a quarter of the stack limit). A warning, not an error: `check` and `run`
# accept the same configs, and ARG_MAX can differ at run time. The run then
# fails that task as predicted.
. "$(dirname "$0")/common.sh"

huge=$(head -c 200000 /dev/zero | tr '\0' x)
make_config <<TOML
[[task]]
name = "fits"
command = ["/bin/true"]

[[task]]
name = "huge-argument"
command = ["/bin/echo", "$huge"]
TOML
run_pt --config "$CFG" check
assert_rc 0
assert_eq "$CFG: OK, 2 tasks from 1 file (1 warning on stderr)" "$(cat "$T/stdout")" "check's verdict"
assert_eq "periodic_tasks: warning: $CFG:5:1: task \"huge-argument\": argument 2 is 200001 bytes; Linux starts no program with an argument or variable over 131072 bytes (E2BIG), so this task cannot start; hint: pass large data in a file or on stdin" \
    "$(cat "$T/stderr")" "check's warning"

run_pt --config "$CFG" run
assert_rc 1
assert_match "$(cat "$T/stdout")" 'huge-argument +error'
assert_contains "$(cat "$T/stdout")" 'cannot execute /bin/echo: Argument list too long'

# The total: 40 variables of 4000 bytes fit one by one, but not under a
# 512 KiB stack limit (ARG_MAX 128 KiB); under the default 8 MiB they do.
{
    printf '[[task]]\nname = "wide"\ncommand = ["/bin/true"]\n[task.environment]\n'
    for i in $(seq 1 40); do
        printf 'V%d = "%s"\n' "$i" "$(head -c 4000 /dev/zero | tr '\0' v)"
    done
} | make_config
(ulimit -s 8192 && run_pt --config "$CFG" check && assert_rc 0 &&
    assert_eq "" "$(cat "$T/stderr")" "no warning under an 8 MiB stack")
(ulimit -s 512 && run_pt --config "$CFG" check && assert_rc 0 &&
    assert_match "$(cat "$T/stderr")" '^periodic_tasks: warning: .*:1:1: task "wide": its arguments and environment take 16[0-9]{4} bytes, over this system.s limit of 131072 \(ARG_MAX' &&
    run_pt --config "$CFG" run && assert_rc 1 &&
    assert_contains "$(cat "$T/stdout")" 'Argument list too long')
echo "PASS: $TEST_NAME"
