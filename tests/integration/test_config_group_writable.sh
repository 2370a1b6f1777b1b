#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a group-writable config file is refused (exit 78).
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only"

make_marker_config first
chmod 0664 "$CFG"

run_pt_untrusted "$CFG"
assert_absent "$T/first-ran" "the marker of the first task"
