#!/bin/bash
# SPDX-License-Identifier: MIT
# Without --as-of the date is today in settings.timezone.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[settings]
timezone = "Pacific/Kiritimati"

[[task]]
name = "report"
command = ["/bin/sh", "-c", "echo \"\$PERIODIC_TASKS_AS_OF\" > $T/as-of"]
TOML
[[ -e /usr/share/zoneinfo/Pacific/Kiritimati ]] || skip "tzdata is not installed (apt-get install -y tzdata)"

before=$(TZ=Pacific/Kiritimati date +%F)
run_pt --config "$CFG"
after=$(TZ=Pacific/Kiritimati date +%F)
assert_rc 0
as_of=$(cat "$T/as-of")
[[ $as_of == "$before" || $as_of == "$after" ]] ||
    fail "PERIODIC_TASKS_AS_OF is $as_of, but today in Pacific/Kiritimati is $before"
