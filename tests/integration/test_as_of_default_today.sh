#!/bin/bash
# SPDX-License-Identifier: MIT
# Without --as-of the date is today in settings.timezone. UTC+14 and UTC-11
# are 25 hours apart, so their dates always differ: a runner that ignores
# the setting gets one of them wrong.
. "$(dirname "$0")/common.sh"

for zone in Pacific/Kiritimati Pacific/Pago_Pago; do
    [[ -e /usr/share/zoneinfo/$zone ]] || skip "tzdata is not installed (apt-get install -y tzdata)"
done

for zone in Pacific/Kiritimati Pacific/Pago_Pago; do
    make_config <<TOML
[settings]
timezone = "$zone"

[[task]]
name = "report"
command = ["/bin/sh", "-c", "echo \"\$PERIODIC_TASKS_AS_OF\" > $T/as-of"]
TOML
    before=$(TZ=$zone date +%F)
    run_pt --config "$CFG"
    after=$(TZ=$zone date +%F)
    assert_rc 0
    as_of=$(cat "$T/as-of")
    [[ $as_of == "$before" || $as_of == "$after" ]] ||
        fail "with timezone $zone PERIODIC_TASKS_AS_OF is $as_of, but today there is $before"
done
