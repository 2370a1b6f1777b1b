#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM to the runner mid-task stops that task's tree, starts nothing more,
# lists the rest as skipped (interrupted), and exits 143; nothing is left.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal # the records checked below are read from stderr

script=$(make_script slow.sh <<'SH'
#!/bin/bash
setsid bash -c 'exec -a "$0" sleep 300' "$1-grandchild" </dev/null >/dev/null 2>&1 &
touch "$2"
exec -a "$1-child" sleep 300
SH
)
make_config <<TOML
[[task]]
name = "slow"
command = ["$script", "$MARK", "$T/slow-started"]
timeout = "60s"
kill_timeout = "2s"

[[task]]
name = "later"
command = ["/bin/sh", "-c", "echo ran > $T/later-ran"]

[[task]]
name = "last"
command = ["/bin/sh", "-c", "echo ran > $T/last-ran"]
TOML

start_runner "$T/slow-started"
sleep 0.2 # let the grandchild call setsid(), so it has truly left the session
stop_runner TERM
assert_rc 143
assert_absent "$T/later-ran" "the marker of a task after the interrupted one"
assert_absent "$T/last-ran" "the marker of the last task"
no_process_matching "$MARK"
assert_eq SIGTERM "$(json_get '.interrupted_by')" "interrupted_by"
assert_eq 143 "$(json_get '.exit_code')" "exit_code in the JSON"
assert_eq "later last" "$(json_get '[.tasks[] | select(.skip_reason == "interrupted") | .name] | join(" ")')" \
    "tasks skipped as interrupted"
assert_eq skipped "$(json_get '.tasks[1].result')" "result of later"
assert_file_contains "$T/stderr" "run interrupted by SIGTERM"
assert_file_contains "$T/stderr" "not run: later, last"
