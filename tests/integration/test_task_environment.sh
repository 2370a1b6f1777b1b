#!/bin/bash
# SPDX-License-Identifier: MIT
# A task's environment is exactly PATH, LANG, HOME, USER, LOGNAME, the
# task's `environment`, and the PERIODIC_TASKS_* variables: nothing from
# the caller's environment leaks in.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

make_config <<TOML
[[task]]
name = "env"
command = ["/usr/bin/env"]
environment = { APP_ENV = "production", EMPTY = "" }
TOML

export FOO=bar SECRET=x LD_LIBRARY_PATH=/nonexistent PYTHONPATH=/nonexistent
run_pt --config "$CFG" --as-of 2024-02-29 --json
assert_rc 0
run_id=$(json_get '.run_id')
user=$(id -un)
home=$(getent passwd "$user" | cut -d: -f6)
expected=$(sort <<ENV
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LANG=C.UTF-8
HOME=$home
USER=$user
LOGNAME=$user
APP_ENV=production
EMPTY=
PERIODIC_TASKS_TASK=env
PERIODIC_TASKS_RUN_ID=$run_id
PERIODIC_TASKS_AS_OF=2024-02-29
PERIODIC_TASKS_DRY_RUN=0
PERIODIC_TASKS_SLOT=
ENV
)
actual=$(sed -n 's/^env| //p' "$T/stderr" | sort)
assert_eq "$expected" "$actual" "the task's environment"
