#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a config file that others can write is refused (exit 78):
# whoever can write it could run commands as root. No task runs.
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_marker_config first
chmod 0666 "$CFG"

run_pt_untrusted "$CFG"
assert_absent "$T/first-ran" "the marker of the first task"
