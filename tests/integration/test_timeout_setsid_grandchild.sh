#!/bin/bash
# SPDX-License-Identifier: MIT
# On timeout the whole tree goes, including a grandchild that left the
# task's session with setsid (the runner is a child subreaper).
. "$(dirname "$0")/common.sh"
require_jq
require_tool setsid

script=$(make_script hang.sh <<'SH'
#!/bin/bash
# $1: the marker every process of this tree carries in its command line.
setsid bash -c 'exec -a "$0" sleep 300' "$1-grandchild" </dev/null >/dev/null 2>&1 &
exec -a "$1-child" sleep 300
SH
)
make_config <<TOML
[[task]]
name = "hang"
command = ["$script", "$MARK"]
timeout = "1s"
kill_timeout = "1s"
TOML

run_pt --config "$CFG" --json
assert_rc 1
assert_eq timeout "$(json_get '.tasks[0].result')" "result"
no_process_matching "$MARK"
