#!/bin/bash
# SPDX-License-Identifier: MIT
# In a dry run a task with dry_run_args runs as command + dry_run_args, with
# PERIODIC_TASKS_DRY_RUN=1.
. "$(dirname "$0")/common.sh"
require_jq

script=$(make_script args.sh <<'SH'
#!/bin/sh
out=$1
shift
printf '%s\n' "$@" "DRY_RUN=$PERIODIC_TASKS_DRY_RUN" > "$out"
SH
)
make_config <<TOML
[[task]]
name = "rotate"
command = ["$script", "$T/args", "--keep", "two words"]
dry_run_args = ["--dry-run", "-v"]
TOML

run_pt --config "$CFG" --dry-run --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
assert_eq $'--keep\ntwo words\n--dry-run\n-v\nDRY_RUN=1' "$(cat "$T/args")" "the task's arguments"
