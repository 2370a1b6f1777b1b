#!/bin/bash
# SPDX-License-Identifier: MIT
# --version and --help print to stdout and exit 0 without reading a config.
. "$(dirname "$0")/common.sh"

export PERIODIC_TASKS_CONFIG="$T/absent.toml"
run_pt --version
assert_rc 0
assert_match "$(cat "$T/stdout")" '^periodic_tasks [0-9]+\.[0-9]+\.[0-9]+' "--version output"
run_pt --help
assert_rc 0
assert_contains "$(cat "$T/stdout")" "periodic_tasks" "--help output"
assert_contains "$(cat "$T/stdout")" "--dry-run" "--help output"
