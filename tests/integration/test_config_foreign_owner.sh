#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as root, a config file owned by another user is refused (exit 78).
. "$(dirname "$0")/common.sh"
require_root "the trust check applies to root only, and chown needs root"
id nobody >/dev/null 2>&1 || skip "there is no user 'nobody' to own the file"

make_marker_config first
chown nobody "$CFG"

run_pt_untrusted "$CFG"
assert_absent "$T/first-ran" "the marker of the first task"
