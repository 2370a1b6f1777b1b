#!/bin/bash
# SPDX-License-Identifier: MIT
# A task writing 200 MB completes, all of it read, and the runner's
# peak RSS stays within 10 MB of a run of a tiny task: output is streamed,
# never accumulated.
. "$(dirname "$0")/common.sh"
require_jq
setup_maxrss # a Debug+ASan runner needs ~25 s for the flood on an idle machine

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

run_pt_maxrss_over "$T/tiny.toml"
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
output_bytes=$(json_get '.tasks[0].output_bytes')
((output_bytes >= 200000000)) || fail "output_bytes $output_bytes: the flood was cut short"
assert_rss_growth "tiny task" "200 MB flood"
