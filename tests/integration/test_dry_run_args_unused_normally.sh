#!/bin/bash
# SPDX-License-Identifier: MIT
# Outside a dry run dry_run_args are not appended and PERIODIC_TASKS_DRY_RUN=0.
. "$(dirname "$0")/common.sh"

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
command = ["$script", "$T/args", "--keep"]
dry_run_args = ["--dry-run"]
TOML

run_pt --config "$CFG"
assert_rc 0
assert_eq $'--keep\nDRY_RUN=0' "$(cat "$T/args")" "the task's arguments"
