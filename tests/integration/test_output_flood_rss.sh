#!/bin/bash
# SPDX-License-Identifier: MIT
# A task writing 200 MB completes, all of it read, and the runner's
# peak RSS stays within 10 MB of a run of a tiny task: output is streamed,
# never accumulated.
. "$(dirname "$0")/common.sh"
require_jq
: "${PT_MAXRSS:?PT_MAXRSS must name the maxrss helper (ctest sets it)}"
# Under AddressSanitizer freed memory sits in a quarantine (256 MB by
# default) before reuse; that is the sanitizer's memory, not the runner's.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
# A Debug+ASan runner needs ~25 s for the flood on an idle machine, more on a busy one.
PT_RUN_TIMEOUT=240

make_config "$T/tiny.toml" <<TOML
[settings]
output_limit = "1MiB"

[[task]]
name = "tiny"
command = ["/bin/sh", "-c", "echo 0123456789012345678901234567890123456789"]
TOML
make_config <<TOML
[settings]
output_limit = "1MiB"

[[task]]
name = "flood"
command = ["/bin/sh", "-c", "yes 0123456789012345678901234567890123456789 | head -c 200000000"]  # pipefail-safe: the task's own shell
TOML

run_pt_maxrss --config "$T/tiny.toml" --json
assert_rc 0
baseline=$PT_MAXRSS_KIB

start=$SECONDS
run_pt_maxrss --config "$CFG" --json
elapsed=$((SECONDS - start))
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
output_bytes=$(json_get '.tasks[0].output_bytes')
((output_bytes >= 200000000)) || fail "output_bytes $output_bytes: the flood was cut short"
growth=$((PT_MAXRSS_KIB - baseline))
echo "maxrss: tiny task ${baseline} KiB, 200 MB flood ${PT_MAXRSS_KIB} KiB (+${growth} KiB) in ${elapsed}s"
((growth < 10240)) || fail "peak RSS grew by ${growth} KiB (tiny task ${baseline} KiB, flood ${PT_MAXRSS_KIB} KiB)"
