#!/bin/bash
# SPDX-License-Identifier: MIT
# A config file that does not exist is a config error (exit 78) naming it.
. "$(dirname "$0")/common.sh"

run_pt --config "$T/absent.toml"
assert_rc 78
assert_match "$(cat "$T/stderr")" "^periodic_tasks: error: .*$T/absent.toml" "stderr"
